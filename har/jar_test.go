package har

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

func TestJar(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var j Jar
	j.Apply("https://clerk.example.com/v1/client", "__client_uat=1; Path=/; Domain=example.com; Max-Age=3600; Secure; SameSite=Lax", at, 1)
	j.Apply("https://example.com/app/page", "__session=a; Secure", at, 2) // default path /app
	j.Apply("https://example.com/", "__session=b; Path=/; Secure", at, 3) // a second copy on /
	j.Apply("https://example.com/", "evil=1; Domain=other.org", at, 4)    // rejected: not our domain
	j.Apply("https://example.com/", "short=1; Max-Age=1", at, 5)          // expires
	names := func(u string, at time.Time) (out []string) {
		for _, c := range j.Cookies(u, at) {
			out = append(out, c.Name+"="+c.Value)
		}
		return out
	}
	if got := names("https://example.com/app/x", at); len(got) != 4 || got[0] != "__session=a" {
		t.Errorf("cookies for /app/x: %v", got)
	}
	if got := names("https://www.example.com/", at); len(got) != 1 || got[0] != "__client_uat=1" {
		t.Errorf("a subdomain gets the Domain cookie only: %v", got)
	}
	if got := names("https://example.com/", at.Add(2*time.Second)); len(got) != 2 {
		t.Errorf("after Max-Age: %v", got)
	}
	if got := names("http://example.com/", at); len(got) != 1 || got[0] != "short=1" {
		t.Errorf("Secure cookies over http: %v", got)
	}
	j.Apply("https://example.com/", "__session=; Path=/; Max-Age=0", at, 6)
	if got := names("https://example.com/", at); len(got) != 2 {
		t.Errorf("after deletion: %v", got)
	}
}

// TestCookieNotSent builds a capture where a response sets __client_uat on
// the app's domain and the next request does not carry it.
func TestCookieNotSent(t *testing.T) {
	mk := func(i int, url string, reqCookie string, setCookie string) map[string]any {
		var rh, qh []map[string]string
		if setCookie != "" {
			rh = append(rh, map[string]string{"name": "Set-Cookie", "value": setCookie})
		}
		qh = append(qh, map[string]string{"name": "Sec-Fetch-Dest", "value": "document"})
		if reqCookie != "" {
			qh = append(qh, map[string]string{"name": "Cookie", "value": reqCookie})
		}
		return map[string]any{"startedDateTime": time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339),
			"request":  map[string]any{"method": "GET", "url": url, "headers": qh},
			"response": map[string]any{"status": 200, "headers": rh}}
	}
	doc := map[string]any{"log": map[string]any{"version": "1.2", "entries": []any{
		mk(0, "https://clerk.example.com/v1/client/sign_ins", "", "__client_uat=1767225600; Path=/; Domain=example.com; Secure; SameSite=Lax"),
		mk(1, "https://example.com/dashboard", "_ga=1", ""),
		mk(2, "https://example.com/other", "_ga=1", ""),
	}}}
	b, _ := json.Marshal(doc)
	p := filepath.Join(t.TempDir(), "x.har")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, s, err := analyze(t, p, &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}})
	if err != nil {
		t.Fatal(err)
	}
	f := hasFinding(s, "cookie-not-sent")
	if f == nil || f.Entries[0] != 0 || f.Entries[1] != 1 {
		t.Fatalf("finding %+v in %v", f, findingCodes(s))
	}
	n := 0
	for _, x := range s.Findings {
		if x.Code == "cookie-not-sent" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("reported %d times, want once", n)
	}
}

// TestIssuerClockAhead: a token whose iat is later than the request that
// carried it means a clock is off. With the servers' Date headers the
// diagnosis measures that it is the browser's and no finding guesses
// otherwise; without them the finding says the Frontend API runs ahead of
// the browser.
func TestIssuerClockAhead(t *testing.T) {
	for _, dates := range []bool{true, false} {
		// Move the browser's clock 30 s back: every token now looks
		// issued 30 s after it was sent.
		p := rewriteCapture(t, "../testdata/har/a-signed-in-happy.har", func(log map[string]any) {
			for _, e := range log["entries"].([]any) {
				m := e.(map[string]any)
				ts, _ := time.Parse(time.RFC3339Nano, m["startedDateTime"].(string))
				m["startedDateTime"] = ts.Add(-30 * time.Second).Format(time.RFC3339Nano)
				if dates {
					continue
				}
				res := m["response"].(map[string]any)
				var kept []any
				for _, h := range res["headers"].([]any) {
					if n := h.(map[string]any)["name"].(string); !strings.EqualFold(n, "date") && !strings.EqualFold(n, "x-clerk-auth-message") {
						kept = append(kept, h)
					}
				}
				res["headers"] = kept
			}
		})
		_, s, err := analyze(t, p, &inspect.Setup{})
		if err != nil {
			t.Fatal(err)
		}
		finding := false
		for _, f := range s.Findings {
			finding = finding || f.Code == "clock-skew" && strings.Contains(f.Title, "issued 3")
		}
		browser := findDiagnosis(s.Diagnosis, CodeBrowserClockOff) != nil
		if dates && (!browser || finding) {
			t.Errorf("with Date headers: browser-clock-off diagnosed %v, issuer finding %v; want the diagnosis alone (%v, %v)", browser, finding, diagnosisCodes(s.Diagnosis), findingCodes(s))
		}
		if !dates && !finding {
			t.Errorf("without Date headers: no issuer clock finding: %v", findingCodes(s))
		}
	}
}
