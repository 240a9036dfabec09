package inspect

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// authCase is one ground-truth case produced by the real SDK.
type authCase struct {
	Name    string          `json:"name"`
	Now     int64           `json:"now"`
	Request caseRequest     `json:"request"`
	Options json.RawMessage `json:"options"`
	API     *CannedAPI      `json:"api"`
	Expect  struct {
		Status           Status                     `json:"status"`
		Reason           *string                    `json:"reason"`
		Message          *string                    `json:"message"`
		Error            string                     `json:"error"`
		IsSignedIn       bool                       `json:"isSignedIn"`
		Auth             map[string]any             `json:"auth"`
		AuthAllowPending map[string]any             `json:"authAllowPending"`
		Headers          map[string]json.RawMessage `json:"headers"`
		Redirect         *struct {
			Origin   string            `json:"origin"`
			Pathname string            `json:"pathname"`
			Params   map[string]string `json:"params"`
		} `json:"redirect"`
	} `json:"expect"`
}

type caseRequest struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
}

func (r caseRequest) toRequest() Request {
	req := Request{Method: r.Method, URL: r.URL}
	keys := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		req.Headers = append(req.Headers, Header{Name: k, Value: r.Headers[k]})
	}
	return req
}

func loadCases(t testing.TB, dir string) []authCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases found: %v", err)
	}
	var out []authCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c authCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, c)
	}
	return out
}

func judgeCase(t testing.TB, c authCase) *Verdict {
	opts, _, err := ParseOptions(c.Options)
	if err != nil {
		t.Fatalf("options: %v", err)
	}
	opts.API = c.API
	return Judge(context.Background(), c.Request.toRequest(), opts, Env{Now: time.UnixMilli(c.Now)})
}

// TestAuthCases runs the 52 shared SDK cases.
func TestAuthCases(t *testing.T) {
	cases := loadCases(t, "../testdata/auth-cases")
	if len(cases) != 52 {
		t.Fatalf("expected the 52 shared cases, found %d", len(cases))
	}
	runCases(t, cases)
}

// TestOracleCases runs the extra cases made with the oracle, or the
// folder named by CLERKSCOPE_CASES (cases of the same shape from elsewhere).
func TestOracleCases(t *testing.T) {
	dir := "../testdata/oracle-cases"
	if d := os.Getenv("CLERKSCOPE_CASES"); d != "" {
		dir = d
	}
	runCases(t, loadCases(t, dir))
}

func runCases(t *testing.T, cases []authCase) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			v := judgeCase(t, c)
			e := c.Expect
			if v.Status != e.Status {
				t.Fatalf("status = %q, want %q (reason %q, error %q)\nevidence: %s", v.Status, e.Status, v.Reason, v.Error, dumpEvidence(v))
			}
			if e.Status == Throws {
				if v.Error != e.Error {
					t.Errorf("error = %q, want %q", v.Error, e.Error)
				}
				return
			}
			wantReason := ""
			if e.Reason != nil {
				wantReason = *e.Reason
			}
			if v.Reason != wantReason {
				t.Errorf("reason = %q, want %q", v.Reason, wantReason)
			}
			wantMsg := ""
			if e.Message != nil {
				wantMsg = *e.Message
			}
			if v.Message != wantMsg {
				t.Errorf("message = %q\nwant      %q", v.Message, wantMsg)
			}
			if got := v.Status == SignedIn; got != e.IsSignedIn {
				t.Errorf("isSignedIn = %v, want %v", got, e.IsSignedIn)
			}
			compareAuth(t, "auth", v.Auth, e.Auth)
			if e.AuthAllowPending != nil {
				compareAuth(t, "authAllowPending", v.AuthAllowPending, e.AuthAllowPending)
			}
			compareHeaders(t, v, e.Headers)
			if e.Redirect == nil {
				if v.Redirect != nil {
					t.Errorf("unexpected redirect to %s", v.Location)
				}
			} else {
				if v.Redirect == nil {
					t.Fatalf("no redirect, want %s%s", e.Redirect.Origin, e.Redirect.Pathname)
				}
				if v.Redirect.Origin != e.Redirect.Origin || v.Redirect.Pathname != e.Redirect.Pathname {
					t.Errorf("redirect = %s%s, want %s%s", v.Redirect.Origin, v.Redirect.Pathname, e.Redirect.Origin, e.Redirect.Pathname)
				}
				got := map[string]string{}
				for _, p := range v.Redirect.ParamList() {
					if _, dup := got[p[0]]; !dup {
						got[p[0]] = p[1]
					}
				}
				if !reflect.DeepEqual(got, e.Redirect.Params) {
					t.Errorf("redirect params = %v\nwant %v", got, e.Redirect.Params)
				}
			}
		})
	}
}

func dumpEvidence(v *Verdict) string {
	var b strings.Builder
	for _, s := range v.Evidence {
		b.WriteString("\n  " + s.ID + " " + s.Check + ": " + s.Found)
		if s.Outcome != "" {
			b.WriteString(" -> " + s.Outcome)
		}
	}
	return b.String()
}

func compareAuth(t *testing.T, label string, got *Auth, want map[string]any) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s = %+v, want null", label, got)
		}
		return
	}
	if got == nil {
		t.Errorf("%s = null, want %v", label, want)
		return
	}
	raw, _ := json.Marshal(got)
	var g map[string]any
	_ = json.Unmarshal(raw, &g)
	for k, w := range want {
		if !reflect.DeepEqual(g[k], w) {
			t.Errorf("%s.%s = %v, want %v", label, k, g[k], w)
		}
	}
}

func compareHeaders(t *testing.T, v *Verdict, want map[string]json.RawMessage) {
	t.Helper()
	got := map[string][]string{}
	for _, h := range v.Headers {
		got[h.Name] = append(got[h.Name], h.Value)
	}
	for name, raw := range want {
		var w []string
		if name == "set-cookie" {
			_ = json.Unmarshal(raw, &w)
		} else {
			var one string
			_ = json.Unmarshal(raw, &one)
			w = []string{one}
		}
		if !reflect.DeepEqual(got[name], w) {
			t.Errorf("header %s = %q\nwant %q", name, got[name], w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected header %s: %q", name, got[name])
		}
	}
}

// TestResponseSettlesBackendCalls judges the shared cases without their
// canned Backend API answers but with the response the app sent (its
// x-clerk-auth-* and Set-Cookie headers), as a capture holds it: the
// response must settle the calls clerkscope never makes.
func TestResponseSettlesBackendCalls(t *testing.T) {
	for _, c := range loadCases(t, "../testdata/auth-cases") {
		opts, _, err := ParseOptions(c.Options)
		if err != nil {
			t.Fatal(err)
		}
		obs := &Observation{Status: 200}
		if c.Expect.Status == Throws {
			obs.Status = 500
		}
		for name, raw := range c.Expect.Headers {
			var vals []string
			if name == "set-cookie" {
				_ = json.Unmarshal(raw, &vals)
			} else {
				var one string
				_ = json.Unmarshal(raw, &one)
				vals = []string{one}
			}
			for _, v := range vals {
				obs.Headers = append(obs.Headers, Header{Name: name, Value: v})
				if name == "set-cookie" {
					obs.SetCookies = append(obs.SetCookies, v)
				}
			}
		}
		s := &Setup{Options: opts, Complete: true}
		res := s.Judge(context.Background(), c.Request.toRequest(), time.UnixMilli(c.Now), obs)
		want := ""
		if c.Expect.Reason != nil {
			want = *c.Expect.Reason
		}
		if res.Verdict.Status != c.Expect.Status || res.Verdict.Reason != want {
			t.Errorf("%s: %s %s, want %s %s", c.Name, res.Verdict.Status, res.Verdict.Reason, c.Expect.Status, want)
		}
	}
}
