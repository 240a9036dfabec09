package inspect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clerkscope/clerkscope/internal/jsonvalue"
)

// checkTokenJSON asserts that tokenJSON gives what json.Unmarshal gives
// into an any: the same value, or an error when it errs.
func checkTokenJSON(t *testing.T, s string) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal([]byte(s), &want)
	got, err := tokenJSON(s)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("tokenJSON(%q): error %v, encoding/json: %v", s, err, wantErr)
	}
	if wantErr == nil && !jsonvalue.Equal(got, want) {
		t.Fatalf("tokenJSON(%q) = %#v, encoding/json: %#v", s, got, want)
	}
	if v, ok := parseTokenJSON(s); ok && (wantErr != nil || !jsonvalue.Equal(v, want)) {
		t.Fatalf("the fast path took %q and made %#v; encoding/json: %#v, %v", s, v, want, wantErr)
	}
}

// tokenJSONCases are what tokens hold and what they might: every shape the
// fast path reads, and the ones it leaves to encoding/json.
var tokenJSONCases = []string{
	`{"alg":"RS256","kid":"ins_2abc","typ":"JWT","cat":"cl_B7d4PD111AAA"}`,
	`{"azp":"https://example.com","exp":1767225640,"fva":[3,-1],"iat":1767225580,"iss":"https://clerk.example.com","nbf":1767225570,"sid":"sess_x","sts":"active","sub":"user_x","v":2,"o":{"id":"org_1","rol":"admin","per":"read,manage"}}`,
	`{}`, `[]`, `{"a":[]}`, `{"a":{}}`, `[[],{}]`, ` { "a" : [ 1 , 2 ] , "b" : null } `, "\t{\r\n\"a\"\n:\ttrue}\n",
	`"x"`, `1`, `-1`, `0`, `-0`, `-0.0`, `0.5`, `1e3`, `1E+3`, `1e-3`, `-1.5e-300`, `123456789012345`,
	`1234567890123456`, `12345678901234567890`, `9007199254740993`, `-9007199254740993`, `1.7976931348623157e308`,
	`1e309`, `-1e400`, `4.9e-324`, `1e-400`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `1_000`, `Infinity`, `NaN`,
	`true`, `false`, `null`, `tru`, `nul`, `falsey`, `nullx`,
	`{"a":1,"a":2}`, `{"a":{"b":1},"a":[1]}`, `{"":""}`, `{"a":"é"}`, `{"é":"日本"}`, `{"a":"\u00e9"}`, `{"a\nb":1}`,
	`{"a":"\"q\""}`, `{"a":"x\/y"}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\x7f\"}",
	"{\"a\":\"\x1f\"}", "{\"a\":\"\t\"}", `{"a":1,}`, `{"a":1 "b":2}`, `{a:1}`, `{"a"1}`, `{"a":}`, `[1,]`, `[,1]`, `[1 2]`,
	`{"a":1}x`, `{"a":1}{}`, `{"a":1`, `[`, `{`, `"abc`, ``, ` `, "\xef\xbb\xbf{}", `{"a":[1,[2,[3,{"b":[4]}]]]}`,
	strings.Repeat("[", 40) + strings.Repeat("]", 40), strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17}`,
	`[0,1,2,3,4,5,6,7,8,9,10,11]`,
}

func TestTokenJSON(t *testing.T) {
	for _, s := range tokenJSONCases {
		t.Run(fmt.Sprintf("%.40q", s), func(t *testing.T) { checkTokenJSON(t, s) })
	}
}

// TestTokenJSONFixtures decodes the header and claims of every token in
// the bundled HARs, auth cases and shared fixtures both ways.
func TestTokenJSONFixtures(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../testdata/auth-cases/*.json", "../testdata/har/*.har", "../../shared/fixtures/auth-cases/*.json"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	parts := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range bytes.Fields(bytes.Map(func(r rune) rune {
			if b64urlChar[r&0xff] && r < 0x80 || r == '.' {
				return r
			}
			return ' '
		}, data)) {
			segs := strings.Split(string(tok), ".")
			if len(segs) != 3 || !strings.HasPrefix(segs[0], "eyJ") {
				continue
			}
			for _, seg := range segs[:2] {
				b, err := base64.RawURLEncoding.DecodeString(seg)
				if err != nil {
					continue
				}
				checkTokenJSON(t, string(b))
				parts++
			}
		}
	}
	t.Logf("%d token parts in %d files", parts, len(files))
	if parts < 100 {
		t.Fatalf("only %d token parts found in %d files", parts, len(files))
	}
}

func FuzzTokenJSON(f *testing.F) {
	for _, s := range tokenJSONCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkTokenJSON(t, s) })
}

// decodeJWTReference is decodeJWT as it was with encoding/json and
// strings.Split, for the fuzz target to hold the new one to.
func decodeJWTReference(token string) (*JWT, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, &TokenError{Reason: TokenInvalid, Message: msgJWTParts}
	}
	bad := &TokenError{Reason: TokenInvalid, Message: msgJWTDecode}
	dec := func(s string) ([]byte, error) {
		s = strings.TrimRight(s, "=")
		if strings.ContainsAny(s, "\r\n") {
			return nil, fmt.Errorf("invalid character")
		}
		return base64.RawURLEncoding.Strict().DecodeString(s)
	}
	hb, err := dec(parts[0])
	if err != nil {
		return nil, bad
	}
	pb, err := dec(parts[1])
	if err != nil {
		return nil, bad
	}
	sig, err := dec(parts[2])
	if err != nil {
		return nil, bad
	}
	var header, payload any
	if err := json.Unmarshal(bytes.TrimPrefix(hb, []byte("\xef\xbb\xbf")), &header); err != nil {
		return nil, bad
	}
	if err := json.Unmarshal(bytes.TrimPrefix(pb, []byte("\xef\xbb\xbf")), &payload); err != nil {
		return nil, bad
	}
	return &JWT{Raw: token, RawHeader: parts[0], RawPayload: parts[1], RawSignature: parts[2],
		Header: header, Payload: payload, Signature: sig}, nil
}

// checkDecodeJWT asserts that decodeJWTFormat decodes token as the
// reference does, and answers the shape test as jwtFormat does.
func checkDecodeJWT(t *testing.T, token string) {
	t.Helper()
	want, wantErr := decodeJWTReference(token)
	got, format, err := decodeJWTFormat(token)
	if format != jwtFormat(token) {
		t.Fatalf("%q: format %v, jwtFormat %v", token, format, !format)
	}
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("%q: error %v, want %v", token, err, wantErr)
	}
	if err != nil {
		return
	}
	if got.Raw != want.Raw || got.RawHeader != want.RawHeader || got.RawPayload != want.RawPayload ||
		got.RawSignature != want.RawSignature || !bytes.Equal(got.Signature, want.Signature) ||
		!jsonvalue.Equal(got.Header, want.Header) || !jsonvalue.Equal(got.Payload, want.Payload) {
		t.Fatalf("%q: decoded %#v, want %#v", token, got, want)
	}
}

func FuzzDecodeJWTReference(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{
		sampleJWT, "a.b.c", "e30.e30.", "e30.e30.e30", "e30=.e30.e30", "e30.e30.e30==", "e30.e30.e3\n0", "e30.e30.e3\r0",
		"eyJhbGciOiJub25lIn0.bnVsbA.", "x", "..", "e30.e30.e30.e30", ".e30.e30", "e30..e30", "e30.e30.e31",
		enc([]byte("\xef\xbb\xbf{}")) + "." + enc([]byte(`{"a":"\u00e9","b":[1,-0,1e400]}`)) + ".c2ln",
		enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(`{"exp":1.5,"x":"\xff"}`)) + ".c2ln",
		enc([]byte(`[1]`)) + "." + enc([]byte(`"s"`)) + ".c2ln",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkDecodeJWT(t, s) })
}

// BenchmarkDecodeJWT is a session token's decoding alone (no memo): its
// parts' base64 and its header's and claims' JSON.
func BenchmarkDecodeJWT(b *testing.B) {
	_, _, req, _ := benchCase(b)
	session := sessionCookie(req)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeJWT(session); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzBase64URL holds base64URLLooseInto to encoding/base64's strict
// RawURLEncoding after the SDK's rules: trailing '=' dropped, CR and LF
// refused.
func FuzzBase64URL(f *testing.F) {
	for _, s := range []string{"", "A", "AA", "AB", "AAA", "AAB", "AAAA", "e30", "e30=", "e30==", "e3=0", "e3\n0", "e3\r0",
		"-_-_", "+/+/", "QUJD", "QUJDRA", "QUJDRA==", "QUJDRB", "QUJDREU", "QUJDREV", " AAA", "AA AA", "\xff\x00AA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		trimmed := strings.TrimRight(s, "=")
		var want []byte
		var wantErr error
		if strings.ContainsAny(trimmed, "\r\n") {
			wantErr = fmt.Errorf("invalid character")
		} else {
			want, wantErr = base64.RawURLEncoding.Strict().DecodeString(trimmed)
		}
		dst := make([]byte, base64.RawURLEncoding.DecodedLen(len(s)))
		n, wasTrimmed, err := base64URLLooseInto(dst, s)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: error %v, encoding/base64: %v", s, err, wantErr)
		}
		if wasTrimmed != (len(trimmed) != len(s)) {
			t.Fatalf("%q: trimmed %v", s, wasTrimmed)
		}
		if err == nil && !bytes.Equal(dst[:n], want) {
			t.Fatalf("%q: %x, encoding/base64: %x", s, dst[:n], want)
		}
	})
}
