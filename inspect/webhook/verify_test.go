package webhook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sdkCase is a delivery of testdata/webhooks/cases with the verdict the
// real SDK gave it (gen.mjs.txt made both).
type sdkCase struct {
	Name   string `json:"name"`
	Note   string `json:"note"`
	Cause  string `json:"cause"`
	Secret string `json:"secret"`
	Expect struct {
		Verified   bool    `json:"verified"`
		Error      string  `json:"error"`
		Type       *string `json:"type"`
		InstanceID *string `json:"instance_id"`
	} `json:"expect"`
}

func loadCases(t *testing.T) map[string]sdkCase {
	t.Helper()
	files, err := filepath.Glob("../../testdata/webhooks/cases/*.json")
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 SDK-checked deliveries, have %d (%v)", len(files), err)
	}
	out := map[string]sdkCase{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c sdkCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = c
	}
	return out
}

// parseFile reads one input file into its deliveries.
func parseFile(t *testing.T, path string) []*Delivery {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ds
}

// TestVerifyAgainstSDK compares clerkscope's verdict on every SDK-checked
// delivery with the SDK's: verified, or the SDK's exact error text.
func TestVerifyAgainstSDK(t *testing.T) {
	for path, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			ds := parseFile(t, path)
			if len(ds) != 1 {
				t.Fatalf("want 1 delivery, got %d", len(ds))
			}
			d := ds[0]
			v := Verify(d, d.Secret, d.Received)
			if got := v.State == Verified; got != c.Expect.Verified {
				t.Fatalf("verified = %v, SDK says %v (%s); steps %+v", got, c.Expect.Verified, c.Expect.Error, v.Steps)
			}
			if v.Error != c.Expect.Error {
				t.Errorf("error:\n got %q\nwant %q", v.Error, c.Expect.Error)
			}
			if c.Expect.Verified {
				ev := ParseEvent(v.Payload)
				want := ""
				if c.Expect.Type != nil {
					want = *c.Expect.Type
				}
				if ev.Type != want {
					t.Errorf("type = %q, SDK says %q", ev.Type, want)
				}
			}
		})
	}
}

// TestCapturesAgainstSDK checks the HAR, CLI and raw HTTP captures entry by
// entry against the SDK's verdicts in their *.expect.json.
func TestCapturesAgainstSDK(t *testing.T) {
	type verdict struct {
		Verified bool   `json:"verified"`
		Error    string `json:"error"`
	}
	for _, pattern := range []string{"har/*.har", "cli/*.ndjson", "http/*.http"} {
		files, _ := filepath.Glob("../../testdata/webhooks/" + pattern)
		if len(files) == 0 {
			t.Fatalf("no %s", pattern)
		}
		for _, f := range files {
			t.Run(filepath.Base(f), func(t *testing.T) {
				data, err := os.ReadFile(strings.TrimSuffix(f, filepath.Ext(f)) + ".expect.json")
				if err != nil {
					t.Fatal(err)
				}
				var exp struct {
					Secret   string    `json:"secret"`
					Now      int64     `json:"now"`
					Verdicts []verdict `json:"verdicts"`
					Verdict  *verdict  `json:"verdict"`
				}
				if err := json.Unmarshal(data, &exp); err != nil {
					t.Fatal(err)
				}
				if exp.Verdict != nil {
					exp.Verdicts = []verdict{*exp.Verdict}
				}
				ds := parseFile(t, f)
				if len(ds) != len(exp.Verdicts) {
					t.Fatalf("%d deliveries, want %d", len(ds), len(exp.Verdicts))
				}
				for i, d := range ds {
					at := d.Received
					if exp.Now != 0 {
						at = time.UnixMilli(exp.Now)
					}
					v := Verify(d, exp.Secret, at)
					if (v.State == Verified) != exp.Verdicts[i].Verified || v.Error != exp.Verdicts[i].Error {
						t.Errorf("delivery %d: %s %q, SDK: verified=%v %q", i, v.State, v.Error, exp.Verdicts[i].Verified, exp.Verdicts[i].Error)
					}
				}
			})
		}
	}
}

func TestStablelibDecode(t *testing.T) {
	for _, tc := range []struct {
		in, hex, err string
	}{
		{"", "", ""},
		{"QUJD", "414243", ""},
		{"QUI=", "4142", ""},
		{"QUI", "", errBase64Padding},
		{"QUJDRA", "41424344", ""},
		{"QUJDR", "414243", ""}, // a fifth character is never read
		{"QU=D", "", errBase64Chars},
		{"====", "", errBase64Padding},
		{"QUJD\n", "414243", ""},
		{"\"QUJD\"", "", errBase64Chars},
	} {
		got, err := stablelibDecode(tc.in)
		if err != tc.err || err == "" && hexOf(got) != tc.hex {
			t.Errorf("decode(%q) = %s, %q; want %s, %q", tc.in, hexOf(got), err, tc.hex, tc.err)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}

// TestV8JSONError holds messages Node 20's JSON.parse gave for each input.
func TestV8JSONError(t *testing.T) {
	for in, want := range map[string]string{
		`{`:                                      "Expected property name or '}' in JSON at position 1",
		`{"a"`:                                   "Expected ':' after property name in JSON at position 4",
		`{"a":1,`:                                "Expected double-quoted property name in JSON at position 7",
		`{"a" 1}`:                                "Expected ':' after property name in JSON at position 5",
		`[1,`:                                    "Unexpected end of JSON input",
		`[1 2]`:                                  "Expected ',' or ']' after array element in JSON at position 3",
		`[1,]`:                                   `Unexpected token ']', "[1,]" is not valid JSON`,
		`tru`:                                    "Unexpected end of JSON input",
		`tx`:                                     `Unexpected token 'x', "tx" is not valid JSON`,
		`t1`:                                     "Unexpected number in JSON at position 1",
		`01`:                                     "Unexpected number in JSON at position 1",
		`-`:                                      "No number after minus sign in JSON at position 1",
		`1.e`:                                    "Unterminated fractional number in JSON at position 2",
		`1e+`:                                    "Exponent part is missing a number in JSON at position 3",
		`"abc`:                                   "Unterminated string in JSON at position 4",
		"\"a\x01\"":                              "Bad control character in string literal in JSON at position 2",
		`"\x"`:                                   "Bad escaped character in JSON at position 2",
		`"\u12g4"`:                               "Bad Unicode escape in JSON at position 5",
		`"\u00`:                                  "Bad Unicode escape in JSON at position 5",
		`"\`:                                     "Unexpected end of JSON input",
		`[object Object]`:                        `"[object Object]" is not valid JSON`,
		`NaN`:                                    `"NaN" is not valid JSON`,
		`{"type": "x", oops}`:                    "Expected double-quoted property name in JSON at position 14",
		`xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`:  `Unexpected token 'x', "xxxxxxxxxx"... is not valid JSON`,
		`{"aaaaaaaaaaaaaaaaaaaaaaaa":x}`:         `Unexpected token 'x', ..."aaaaaaaa":x}" is not valid JSON`,
		`{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":xyz}`: `Unexpected token 'x', ..."aaaaaaaa":xyz}" is not valid JSON`,
		`  `:                                     "Unexpected end of JSON input",
		`"é" x`:                                  "Unexpected non-whitespace character after JSON at position 4",
		`"😀" x`:                                  "Unexpected non-whitespace character after JSON at position 5",
		`{"a":1}}`:                               "Unexpected non-whitespace character after JSON at position 7",
		`{"a":t}`:                                `Unexpected token '}', "{"a":t}" is not valid JSON`,
		`{"a":-}`:                                "No number after minus sign in JSON at position 6",
		`-01`:                                    "Unexpected number in JSON at position 2",
		`[nulx]`:                                 `Unexpected token 'x', "[nulx]" is not valid JSON`,
		`{"a":1,"b"}`:                            `Unexpected token '}', "{"a":1,"b"}" is not valid JSON`,
		`{"a":1 "b":2}`:                          "Expected ',' or '}' after property value in JSON at position 7",
		`{"a":[1,{"b":null}],"c":"d"}`:           "",
	} {
		if got := v8JSONError(in); got != want {
			t.Errorf("JSON.parse(%q):\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestDiagnoseCases checks the cause each SDK-checked delivery was made to
// show: the first problem named is the case's "cause" ("" for a delivery
// that verifies and has nothing wrong).
func TestDiagnoseCases(t *testing.T) {
	for path, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			d := parseFile(t, path)[0]
			v := Verify(d, d.Secret, d.Received)
			ds := Diagnose(d, v, d.Secret)
			if len(ds) == 0 {
				t.Fatal("no diagnosis")
			}
			want := c.Cause
			if want == "" {
				want = CodeVerified
			}
			if ds[0].Code != want {
				var got []string
				for _, dg := range ds {
					got = append(got, dg.Code+"/"+dg.Confidence)
				}
				t.Errorf("first diagnosis %s, want %s (all: %v; SDK: %s)", ds[0].Code, want, got, c.Expect.Error)
			}
			for _, dg := range ds {
				if dg.Why == "" || dg.Title == "" || dg.Confidence == "" {
					t.Errorf("%s: incomplete %+v", dg.Code, dg)
				}
				if strings.Contains(dg.Why+strings.Join(dg.Evidence, " "), d.Secret) && len(d.Secret) > 10 {
					t.Errorf("%s: the secret is printed", dg.Code)
				}
			}
		})
	}
}

// secretOfCapture reads the secret a capture was signed with.
func secretOfCapture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/webhooks/" + name + ".expect.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatal(err)
	}
	return exp.Secret
}

// TestV8JSONErrorCorpus compares jsonparse.go with the messages of the
// oracle's V8 on bodies cut or broken at many places (gen.mjs.txt).
func TestV8JSONErrorCorpus(t *testing.T) {
	data, err := os.ReadFile("../../testdata/webhooks/v8-json-errors.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Body, Error string }
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		if got := v8JSONError(c.Body); got != c.Error {
			t.Errorf("JSON.parse(%q):\n got %q\nwant %q", c.Body, got, c.Error)
		}
	}
}
