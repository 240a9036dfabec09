package har

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// story runs hand-made entries through the analyzer.
func story(t *testing.T, setup *inspect.Setup, entries ...*Entry) *Story {
	t.Helper()
	a := NewAnalyzer(setup)
	for i, e := range entries {
		e.Index = i
		a.Add(context.Background(), e)
	}
	a.Flush(context.Background())
	st := a.Finish(Log{})
	t.Logf("diagnosis: %v", diagnosisCodes(st.Diagnosis))
	return st
}

var t0 = time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)

func entry(at time.Duration, method, url string, reqHeaders []Header, status int, respHeaders ...Header) *Entry {
	return &Entry{StartedDateTime: t0.Add(at), Time: 40, Request: Request{Method: method, URL: url, Headers: reqHeaders},
		Response: Response{Status: status, Headers: respHeaders}}
}

func pasted(t *testing.T, setup *inspect.Setup, text string) []Diagnosis {
	t.Helper()
	p, err := inspect.ParseInput(text)
	if err != nil {
		t.Fatal(err)
	}
	req, res := setup.JudgeText(context.Background(), p, t0)
	ds := DiagnoseRequest(&Judged{Class: ClassDocument, Request: req, Result: res, Judged: true}, setup)
	t.Logf("%s %s: diagnosis %v", res.Verdict.Status, res.Verdict.Reason, diagnosisCodes(ds))
	return ds
}

// TestDetectors: each cause is raised from its evidence alone.
func TestDetectors(t *testing.T) {
	pk := "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"
	prod := func() *inspect.Setup {
		return &inspect.Setup{Options: inspect.Options{PublishableKey: pk, JWTKey: jwtKey(t)}}
	}
	nav := []Header{{Name: "Sec-Fetch-Dest", Value: "document"}, {Name: "Sec-Fetch-Site", Value: "none"}}
	with := func(h []Header, more ...Header) []Header { return append(append([]Header{}, h...), more...) }

	t.Run("bad-authorization-header", func(t *testing.T) {
		ds := pasted(t, prod(), "GET /api/data HTTP/1.1\nHost: example.com\nAuthorization: Bearer undefined\nSec-Fetch-Dest: empty\n")
		if findDiagnosis(ds, CodeBadAuthHeader) == nil {
			t.Errorf("got %v", diagnosisCodes(ds))
		}
	})
	t.Run("keys-from-different-instances", func(t *testing.T) {
		s := prod()
		s.Options.SecretKey = "sk_test_" + strings.Repeat("x", 40)
		ds := pasted(t, s, "Cookie: __client_uat=0")
		d := findDiagnosis(ds, CodeKeysMismatch)
		if d == nil || d.Confidence != Certain || strings.Contains(strings.Join(d.Evidence, " "), strings.Repeat("x", 20)) {
			t.Errorf("got %+v (the secret key must be masked)", ds)
		}
	})
	t.Run("sign-in-page-protected", func(t *testing.T) {
		s := story(t, prod(),
			entry(0, "GET", "https://example.com/sign-in", nav, 307, Header{Name: "Location", Value: "/sign-in?redirect_url=https%3A%2F%2Fexample.com%2Fsign-in"},
				Header{Name: "x-clerk-auth-status", Value: "signed-out"}, Header{Name: "x-clerk-auth-reason", Value: "session-token-and-uat-missing"}, Header{Name: "x-clerk-redirect-to", Value: "true"}))
		if d := findDiagnosis(s.Diagnosis, CodeSignInProtected); d == nil || !slices.Contains(d.Entries, 0) {
			t.Errorf("got %v", diagnosisCodes(s.Diagnosis))
		}
	})
	t.Run("middleware-not-running", func(t *testing.T) {
		cookies := Header{Name: "Cookie", Value: "__client_uat=1795503925"}
		s := story(t, prod(),
			entry(0, "GET", "https://example.com/dashboard", with(nav, cookies), 307, Header{Name: "Location", Value: "https://clerk.example.com/v1/client/handshake?redirect_url=x"},
				Header{Name: "x-clerk-auth-status", Value: "handshake"}, Header{Name: "x-clerk-auth-reason", Value: "client-uat-but-no-session-token"}),
			entry(time.Second, "GET", "https://example.com/reports", with(nav, cookies), 200))
		if d := findDiagnosis(s.Diagnosis, CodeMiddlewareNotRunning); d == nil || d.Confidence != Likely || !slices.Equal(d.Entries, []int{1}) {
			t.Errorf("got %+v", s.Diagnosis)
		}
	})
	t.Run("session-token-too-large", func(t *testing.T) {
		big := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("A", 3900) + ".sig"
		ds := pasted(t, prod(), "Cookie: __session="+big+"; __client_uat=1795503925")
		if findDiagnosis(ds, CodeTokenTooLarge) == nil {
			t.Errorf("got %v", diagnosisCodes(ds))
		}
	})
	t.Run("safari-cookie-cap", func(t *testing.T) {
		ua := Header{Name: "User-Agent", Value: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"}
		old := t0.Add(-9 * 24 * time.Hour).Unix()
		s := story(t, prod(), entry(0, "GET", "https://example.com/dashboard", with(nav, ua, Header{Name: "Cookie", Value: "__client_uat=" + itoa(old)}), 307,
			Header{Name: "Location", Value: "https://clerk.example.com/v1/client/handshake?redirect_url=x"}, Header{Name: "x-clerk-auth-status", Value: "handshake"}))
		if d := findDiagnosis(s.Diagnosis, CodeSafariITP); d == nil || d.Confidence != Possible {
			t.Errorf("got %v", diagnosisCodes(s.Diagnosis))
		}
	})
	t.Run("app-domain-not-instance-domain", func(t *testing.T) {
		s := story(t, prod(), entry(0, "GET", "https://myapp-git-preview.vercel.app/dashboard", with(nav, Header{Name: "Cookie", Value: "__client_uat=1795503925"}), 307,
			Header{Name: "Location", Value: "https://clerk.example.com/v1/client/handshake?redirect_url=x"}, Header{Name: "x-clerk-auth-status", Value: "handshake"}))
		if d := findDiagnosis(s.Diagnosis, CodeThirdPartyApp); d == nil || !strings.Contains(d.Evidence[0], "vercel.app") {
			t.Errorf("got %+v", s.Diagnosis)
		}
	})
	t.Run("dev-browser-not-kept", func(t *testing.T) {
		dev := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_test_ZnJlc2gtb3lzdGVyLTQyLmNsZXJrLmFjY291bnRzLmRldiQ", JWTKey: jwtKey(t)}}
		loc := Header{Name: "Location", Value: "https://fresh-oyster-42.clerk.accounts.dev/v1/client/handshake?redirect_url=http%3A%2F%2Flocalhost%3A3000%2F"}
		s := story(t, dev,
			entry(0, "GET", "http://localhost:3000/", nav, 307, loc),
			entry(time.Second, "GET", "https://fresh-oyster-42.clerk.accounts.dev/v1/client/handshake?redirect_url=x", nav, 307),
			entry(2*time.Second, "GET", "http://localhost:3000/", nav, 307, loc))
		if d := findDiagnosis(s.Diagnosis, CodeDevBrowserLost); d == nil {
			t.Errorf("got %v", diagnosisCodes(s.Diagnosis))
		}
		if d := findDiagnosis(s.Diagnosis, CodeHandshakeLoop); d == nil || d.CausedBy != CodeDevBrowserLost {
			t.Errorf("the loop's cause: %+v", d)
		}
	})
	t.Run("azp-missing", func(t *testing.T) {
		data, err := os.ReadFile("../testdata/oracle-cases/azp-missing.json")
		if err != nil {
			t.Fatal(err)
		}
		ds := pasted(t, &inspect.Setup{}, string(data))
		if findDiagnosis(ds, CodeAZPMissing) == nil || findDiagnosis(ds, CodeAZPNotAllowed) != nil {
			t.Errorf("got %v", diagnosisCodes(ds))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestClockWithoutHeaders: with no Date header and no SDK message to read
// the server's clock from, the server's own reasons (expired where the
// browser's clock finds the token valid) still name the clock, and the
// loop is put down to it.
func TestClockWithoutHeaders(t *testing.T) {
	path := rewriteCapture(t, "../testdata/diagnosis/clock-ahead-loop.har", func(log map[string]any) {
		for _, e := range log["entries"].([]any) {
			resp := e.(map[string]any)["response"].(map[string]any)
			var kept []any
			for _, h := range resp["headers"].([]any) {
				name := strings.ToLower(h.(map[string]any)["name"].(string))
				if name != "date" && name != "x-clerk-auth-message" {
					kept = append(kept, h)
				}
			}
			resp["headers"] = kept
		}
	})
	_, s, err := analyze(t, path, &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}})
	if err != nil {
		t.Fatal(err)
	}
	d := findDiagnosis(s.Diagnosis, CodeServerClockAhead)
	if d == nil || d.Confidence != Likely {
		t.Fatalf("got %v", diagnosisCodes(s.Diagnosis))
	}
	if l := findDiagnosis(s.Diagnosis, CodeHandshakeLoop); l == nil || l.CausedBy != CodeServerClockAhead {
		t.Errorf("loop: %+v", l)
	}
}

// TestSignInLoop: a page sent to sign in again and again is one loop,
// with the server's reasons.
func TestSignInLoop(t *testing.T) {
	setup := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", JWTKey: jwtKey(t)}}
	nav := []Header{{Name: "Sec-Fetch-Dest", Value: "document"}, {Name: "Cookie", Value: "__client_uat=0"}}
	var entries []*Entry
	for i := 0; i < 3; i++ {
		at := time.Duration(i) * time.Second
		entries = append(entries,
			entry(at, "GET", "https://example.com/dashboard", nav, 307, Header{Name: "Location", Value: "https://example.com/sign-in?redirect_url=https%3A%2F%2Fexample.com%2Fdashboard"},
				Header{Name: "x-clerk-auth-status", Value: "signed-out"}, Header{Name: "x-clerk-auth-reason", Value: "session-token-and-uat-missing"}, Header{Name: "x-clerk-redirect-to", Value: "true"}),
			entry(at+300*time.Millisecond, "GET", "https://example.com/sign-in?redirect_url=https%3A%2F%2Fexample.com%2Fdashboard", nav, 200,
				Header{Name: "x-clerk-auth-status", Value: "signed-out"}, Header{Name: "x-clerk-auth-reason", Value: "session-token-and-uat-missing"}))
	}
	s := story(t, setup, entries...)
	d := findDiagnosis(s.Diagnosis, CodeSignInLoop)
	if d == nil || !slices.Equal(d.Entries, []int{0, 2, 4}) || !strings.Contains(strings.Join(d.Evidence, " "), "session-token-and-uat-missing ×3") {
		t.Errorf("got %+v", s.Diagnosis)
	}
}

// TestClockBehindACDN: a CDN in front of the app stamps Date with its own
// (correct) clock; the SDK's "Current date" still shows the app server's,
// and wins.
func TestClockBehindACDN(t *testing.T) {
	path := rewriteCapture(t, "../testdata/diagnosis/clock-ahead-loop.har", func(log map[string]any) {
		for _, e := range log["entries"].([]any) {
			em := e.(map[string]any)
			started, _ := time.Parse(time.RFC3339Nano, em["startedDateTime"].(string))
			for _, h := range em["response"].(map[string]any)["headers"].([]any) {
				hm := h.(map[string]any)
				if strings.EqualFold(hm["name"].(string), "date") {
					hm["value"] = started.UTC().Format(http1123)
				}
			}
		}
	})
	got, s, err := analyze(t, path, &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}})
	if err != nil {
		t.Fatal(err)
	}
	d := findDiagnosis(s.Diagnosis, CodeServerClockAhead)
	if d == nil || d.Confidence != Certain || !strings.Contains(strings.Join(d.Evidence, " "), "CDN or proxy") {
		t.Fatalf("got %+v", s.Diagnosis)
	}
	if v := got[4].Result.Verdict; v.Status != inspect.Handshake {
		t.Errorf("entry 4 judged %s at %s, want the server's handshake", v.Status, got[4].Result.At)
	}
}

// TestOptionsDiffer: the server's own verdict, unexplained by any cause,
// means the app runs with other options than clerkscope was given.
func TestOptionsDiffer(t *testing.T) {
	setup := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", JWTKey: jwtKey(t)}}
	nav := []Header{{Name: "Sec-Fetch-Dest", Value: "document"}}
	s := story(t, setup, entry(0, "GET", "https://example.com/", nav, 307,
		Header{Name: "Location", Value: "https://clerk.example.com/v1/client/handshake?redirect_url=https%3A%2F%2Fexample.com%2F"},
		Header{Name: "x-clerk-auth-status", Value: "handshake"}, Header{Name: "x-clerk-auth-reason", Value: "dev-browser-missing"}))
	if d := findDiagnosis(s.Diagnosis, CodeServerDisagrees); d == nil || !slices.Equal(d.Entries, []int{0}) {
		t.Errorf("got %+v", s.Diagnosis)
	}
}
