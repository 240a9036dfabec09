package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/bapi/bapitest"
	"github.com/clerkscope/clerkscope/internal/testjwt"
)

const (
	liveKey = "sk_live_lookupTestKey000000000000000001"
	// The shared capture's user, session, instance and time.
	janeID     = "user_2harlabJaneDoe00000000001"
	janeSess   = "sess_25ucmCtNT7d5h5KsdnhrD4Y72nj"
	captureKid = "ins_2oracleFakeInstanceId0000"
	happyHAR   = "testdata/har/a-signed-in-happy.har"
)

// fixtureT0 is the shared records' reference clock.
var fixtureT0 = time.UnixMilli(1767225600000)

// sharedAPI serves the shared Backend API records and ours, with alice
// standing in for the capture's user and her active session for its
// session, on the capture's clock and instance.
func sharedAPI(t *testing.T) *bapitest.Server {
	s := bapitest.New(t, liveKey, "testdata/bapi", "bapi/testdata")
	s.Rename("user_2ALICE000000000000000000000", janeID)
	s.Rename("sess_2ALICEACTIVE000000000000000", janeSess)
	s.Rebase(time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC).Sub(fixtureT0))
	s.SetFile("instance", []byte(`{"object":"instance","id":"`+captureKid+`","environment_type":"production","allowed_origins":null}`))
	for _, k := range []string{"CLERK_PUBLISHABLE_KEY", "CLERK_JWT_KEY", bapiAllowHTTPEnvForTests} {
		t.Setenv(k, "")
	}
	t.Setenv("CLERK_API_URL", s.URL)
	t.Setenv("CLERK_SECRET_KEY", liveKey)
	return s
}

const bapiAllowHTTPEnvForTests = "CLERKSCOPE_ALLOW_HTTP_API"

func runArgs(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestExplainLookupSharedCapture: explain --lookup on a shared capture
// shows the user card, the session list with the token's session marked,
// the memberships, and the discrepancies; text and JSON; identifiers
// and private metadata hidden unless --reveal.
func TestExplainLookupSharedCapture(t *testing.T) {
	s := sharedAPI(t)
	code, out, errOut := runArgs(t, "", "explain", "--lookup", "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Backend API: " + janeID + " Alice Anders <‹email#", "session " + janeSess + " ACTIVE",
		"User " + janeID + " — Alice Anders", "SMS 2nd factor", "Lockout and blocking", "Metadata",
		"Sessions (4) — ▶ the token's session", "▶ active         " + janeSess + " — signed in",
		"impersonated by user_2SUPPORT0000000000000000000",
		"Organizations (2)", "Admin (org:admin) in Acme Inc", "2 pending invitations",
		"Reverification (fva [0 -1]", "strict_mfa     passes",
		"Instance", captureKid + " (production); signed the token",
		// The session names an active organization the token does not carry.
		"the session's active organization is now org_2ACME0000000000000000000000; the token has none",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain --lookup lacks %q", want)
		}
	}
	// Read-only, each record read once per run.
	if got := s.Count("/v1/users/" + janeID); got != 1 {
		t.Errorf("the user was read %d times in one run", got)
	}
	if n := strings.Count(out, "User "+janeID+" — Alice Anders"); n != 1 {
		t.Errorf("the user card is shown %d times, want once", n)
	}
	for _, secret := range []string{"alice@example.com", "+15555550101", "cus_FAKE1001", "crm-1001", "203.0.113.10", liveKey} {
		if strings.Contains(out+errOut, secret) {
			t.Errorf("%q shown without --reveal", secret)
		}
	}
	_, revealed, _ := runArgs(t, "", "explain", "--lookup", "--reveal", "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
	for _, want := range []string{"alice@example.com", "cus_FAKE1001", "203.0.113.10"} {
		if !strings.Contains(revealed, want) {
			t.Errorf("--reveal does not show %q", want)
		}
	}
	// JSON: each request's lookup, whole.
	code, js, _ := runArgs(t, "", "explain", "--json", "--lookup", "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
	var doc struct {
		Requests []struct {
			Index  int
			Lookup *struct {
				User          map[string]any
				Sessions      []map[string]any
				Memberships   []map[string]any
				Discrepancies []map[string]any
				Token         map[string]any
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &doc); code != 0 || err != nil {
		t.Fatalf("json: %d %v", code, err)
	}
	n := 0
	for _, r := range doc.Requests {
		if lk := r.Lookup; lk != nil {
			n++
			if lk.User["id"] != janeID || len(lk.Sessions) != 4 || len(lk.Memberships) != 2 || lk.Token["sessionId"] != janeSess || len(lk.Discrepancies) == 0 {
				t.Errorf("entry %d lookup: %+v", r.Index, lk)
			}
			if strings.Contains(fmt.Sprint(lk.User), "alice@example.com") {
				t.Error("the JSON shows identifiers without --reveal")
			}
		}
	}
	if n != 4 {
		t.Errorf("%d requests with a lookup, want 4", n)
	}
}

// TestExplainLookupDiscrepancies: on the shared capture, each kind of
// disagreement the records can have with its token is shown.
func TestExplainLookupDiscrepancies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(s *bapitest.Server)
		key    string
		want   string
	}{
		{"session revoked", func(s *bapitest.Server) { s.Replace("sessions", janeSess, "status", "revoked") }, "",
			"the session is revoked at the Backend API (ended by the application (revoked) and removed from the client), but the token is still inside its lifetime"},
		{"session expired", func(s *bapitest.Server) { s.Replace("sessions", janeSess, "status", "expired") }, "", "the session is expired at the Backend API"},
		{"user banned", func(s *bapitest.Server) { s.Replace("users", janeID, "banned", true) }, "", "the user is banned: Clerk ended their sessions and refuses sign-in"},
		{"user locked", func(s *bapitest.Server) {
			s.Replace("users", janeID, "locked", true)
			s.Replace("users", janeID, "lockout_expires_in_seconds", 600)
		}, "", "the user is locked (too many failed verification attempts, or locked by an admin): unlocks in 10 min 0 s"},
		{"user deprovisioned", func(s *bapitest.Server) { s.Replace("users", janeID, "deprovisioned", true) }, "", "the user was deprovisioned by their enterprise directory"},
		{"another instance's key", func(s *bapitest.Server) {
			s.SetFile("instance", []byte(`{"object":"instance","id":"ins_2FAKEINSTANCE00000000000000","environment_type":"production"}`))
		}, "", "the token was signed by instance " + captureKid + ", but the secret key belongs to ins_2FAKEINSTANCE00000000000000"},
		{"a development key", nil, "sk_test_lookupTestKey000000000000000001", "the secret key is a development key but the token is from a production instance"},
		{"not in the instance", func(s *bapitest.Server) { s.Rename(janeSess, "sess_gone"); s.Rename(janeID, "user_gone") }, "",
			"session " + janeSess + " is not in this instance"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sharedAPI(t)
			if tc.change != nil {
				tc.change(s)
			}
			if tc.key != "" {
				s.Key = tc.key
				t.Setenv("CLERK_SECRET_KEY", tc.key)
			}
			_, out, errOut := runArgs(t, "", "explain", "--lookup", "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
			if !strings.Contains(out, tc.want) {
				t.Errorf("no %q in:\n%s\n%s", tc.want, out, errOut)
			}
		})
	}
}

// signedToken is a session token of the capture's instance, signed with
// the test key: claims over the defaults.
func signedToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	c := map[string]any{"iss": "https://clerk.example.com", "azp": "https://example.com", "v": 2, "fva": []int{3, -1}}
	for k, v := range claims {
		c[k] = v
	}
	tok, err := testjwt.Sign("testdata/keys/instance-private.pem", map[string]any{"alg": "RS256", "typ": "JWT", "kid": captureKid, "cat": "cl_B7d4PD111AAA"}, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestExplainLookupPastedToken: a pasted token with an organization and a
// custom claim copied from metadata, looked up: the role, permissions and
// metadata that changed since it was minted, and reverification.
func TestExplainLookupPastedToken(t *testing.T) {
	sharedAPI(t)
	iat := time.Date(2026, 11, 24, 7, 5, 0, 0, time.UTC).Unix()
	tok := signedToken(t, map[string]any{"sub": "user_2BOB00000000000000000000000", "sid": "sess_2BOBACTIVE00000000000000000",
		"iat": iat, "nbf": iat - 10, "exp": iat + 60, "fva": []int{30, -1},
		"o":        map[string]any{"id": "org_2ACME0000000000000000000000", "rol": "admin", "slg": "acme"},
		"metadata": map[string]any{"role": "admin"}})
	code, out, errOut := runArgs(t, "Cookie: __session="+tok+"; __client_uat="+fmt.Sprint(iat), "explain", "--lookup", "--reveal",
		"--jwt-key", "testdata/keys/instance-public.pem", "--publishable-key", "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k",
		"--url", "https://example.com/dashboard", "--now", fmt.Sprint(iat+5))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"the user's role in acme (org_2ACME0000000000000000000000) is now org:member (Member); the token still says org:admin",
		"the session has no active organization now; the token says org_2ACME0000000000000000000000",
		"Organizations (1) — ▶ the token's active organization", "▶ acme",
		"strict         fails", "moderate       passes",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// TestLookupCommand: lookup finds the user by each kind of identifier
// against the shared records (through the command), and prints JSON.
func TestLookupCommand(t *testing.T) {
	sharedAPI(t)
	for _, q := range [][]string{{janeID}, {"alice@example.com"}, {"+15555550101"}, {"alice"}, {"crm-1001"}, {"--by", "query", "Anders"}, {janeSess}} {
		code, out, errOut := runArgs(t, "", append([]string{"lookup"}, q...)...)
		if code != 0 || !strings.Contains(out, "User "+janeID+" — Alice Anders") || !strings.Contains(out, "alice@example.com — primary, verified") {
			t.Errorf("lookup %v: exit %d\n%s%s", q, code, out, errOut)
		}
	}
	code, out, _ := runArgs(t, "", "lookup", "example")
	if code != 0 || !strings.Contains(out, `users match query "example" — not guessed between`) {
		t.Errorf("several matches: %d\n%s", code, out)
	}
	code, js, _ := runArgs(t, "", "lookup", "--json", "alice@example.com")
	var a struct {
		Kind   string
		Lookup struct{ User struct{ ID string } }
	}
	if err := json.Unmarshal([]byte(js), &a); code != 0 || err != nil || a.Kind != "user" || a.Lookup.User.ID != janeID {
		t.Errorf("lookup --json: %d %v %.200s", code, err, js)
	}
	if code, _, errOut := runArgs(t, "", "lookup", "--records", "x"); code != 2 || !strings.Contains(errOut, "--records goes with --json") {
		t.Errorf("--records alone: %d %q", code, errOut)
	}
}

// TestReportLookup: report --lookup ends with the Backend API section,
// identifiers and private metadata redacted by default, shown with
// --reveal (and --no-redact); the JSON report carries each lookup.
func TestReportLookup(t *testing.T) {
	sharedAPI(t)
	code, md, errOut := runArgs(t, "", "report", "--lookup", "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"## Backend API lookup", "Identifiers (emails, phone numbers, usernames, external ids, IP addresses) and private metadata values are redacted",
		"### Entries 5, 9, 10, 14: " + janeID + " Alice Anders", "#### User " + janeID, "- ▶ **active**: " + janeSess, `stripe_customer_id":"‹redacted#`} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, secret := range []string{"alice@example.com", "cus_FAKE1001", "+15555550101", "crm-1001", "203.0.113.10", "gina@example.com"} {
		if strings.Contains(md, secret) {
			t.Errorf("the report shows %q", secret)
		}
	}
	for _, flag := range []string{"--reveal", "--no-redact"} {
		_, full, _ := runArgs(t, "", "report", "--lookup", flag, "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
		if !strings.Contains(full, "alice@example.com") || !strings.Contains(full, "cus_FAKE1001") || !strings.Contains(full, "**Not redacted") {
			t.Errorf("report %s does not show the identifiers", flag)
		}
	}
	_, js, _ := runArgs(t, "", "report", "--lookup", "--format", "json", "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
	if !strings.Contains(js, `"lookup":`) || strings.Contains(js, "alice@example.com") || strings.Contains(js, "cus_FAKE1001") {
		t.Error("JSON report: lookups missing or not redacted")
	}
	// Without --lookup the report makes no call.
	_, md, _ = runArgs(t, "", "report", "--jwt-key", "testdata/keys/instance-public.pem", happyHAR)
	if strings.Contains(md, "Backend API lookup") {
		t.Error("a report without --lookup looked up")
	}
}

// writeSessionsHAR writes a capture of n page loads, each with its own
// session (of one user), signed with the test key.
func writeSessionsHAR(t *testing.T, n int) string {
	start := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	var entries []map[string]any
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * time.Second)
		tok := signedToken(t, map[string]any{"sub": janeID, "sid": fmt.Sprintf("sess_2hang%022d", i), "iat": at.Unix() - 5, "nbf": at.Unix() - 15, "exp": at.Unix() + 55})
		h := func(name, value string) map[string]string { return map[string]string{"name": name, "value": value} }
		entries = append(entries, map[string]any{
			"startedDateTime": at.Format(time.RFC3339Nano), "time": 10,
			"request": map[string]any{"method": "GET", "url": "https://example.com/dashboard", "httpVersion": "HTTP/1.1",
				"headers": []map[string]string{h("Host", "example.com"), h("Accept", "text/html"), h("Sec-Fetch-Dest", "document"), h("Cookie", "__session="+tok+"; __client_uat="+fmt.Sprint(at.Unix()-100))},
				"cookies": []any{}, "queryString": []any{}, "headersSize": -1, "bodySize": 0},
			"response": map[string]any{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": []any{}, "cookies": []any{},
				"content": map[string]any{"size": 0, "mimeType": "text/html"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
			"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 10, "receive": 0},
		})
	}
	data, _ := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]any{"name": "test", "version": "1"}, "entries": entries}})
	path := filepath.Join(t.TempDir(), "sessions.har")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHangingAPIBounded: explain --lookup on 20 sessions against a
// Backend API whose sessions hang ends after about one timeout (not
// twenty), with one clear line on stderr per failure kind; against an API
// that hangs everywhere, likewise.
func TestHangingAPIBounded(t *testing.T) {
	old := bapiTimeout
	bapiTimeout = 1 * time.Second
	t.Cleanup(func() { bapiTimeout = old })
	har := writeSessionsHAR(t, 20)
	for _, tc := range []struct {
		name  string
		hang  func(path string) bool
		kinds []string
	}{
		{"sessions hang", func(p string) bool { return strings.HasPrefix(p, "/v1/sessions") }, []string{"GET /v1/sessions/{id}", "GET /v1/sessions "}},
		{"everything hangs", func(string) bool { return true }, []string{"GET /v1/sessions/{id}", "GET /v1/sessions ", "GET /v1/users/{id}", "GET /v1/users/{id}/organization_memberships", "GET /v1/instance"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sharedAPI(t)
			s.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
				if !tc.hang(r.URL.Path) {
					return false
				}
				select {
				case <-r.Context().Done():
				case <-time.After(30 * time.Second):
				}
				return true
			})
			start := time.Now()
			code, out, errOut := runArgs(t, "", "explain", "--lookup", "--jwt-key", "testdata/keys/instance-public.pem", har)
			took := time.Since(start)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if took > 2500*time.Millisecond {
				t.Errorf("took %s: want about one 1 s timeout", took)
			}
			calls := 0
			for p, n := range s.Calls() {
				if strings.HasPrefix(p, "/v1/sessions/") {
					calls += n
				}
			}
			if calls != 1 {
				t.Errorf("%d session lookups reached the API, want 1", calls)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != len(tc.kinds) {
				t.Errorf("stderr has %d lines, want %d (one per failure kind):\n%s", len(lines), len(tc.kinds), errOut)
			}
			for _, k := range tc.kinds {
				if strings.Count(errOut, "Backend API "+strings.TrimSpace(k)+" gave up") != 1 {
					t.Errorf("stderr does not name %q once:\n%s", k, errOut)
				}
			}
			if !strings.Contains(errOut, "no answer from") || !strings.Contains(errOut, "its other calls fail at once") {
				t.Errorf("stderr does not say why:\n%s", errOut)
			}
			if n := strings.Count(out, "— check the network and CLERK_API_URL"); n != len(tc.kinds) {
				t.Errorf("the text shows %d timeouts in full, want %d (one per kind)", n, len(tc.kinds))
			}
			if n := strings.Count(out, "  Backend API: "); n != 20 {
				t.Errorf("%d requests have a Backend API line, want 20", n)
			}
		})
	}
}

// TestRetryAfterAnnounced: every Retry-After wait is announced on stderr
// with the run's budget, and the run's waits stop at the budget.
func TestRetryAfterAnnounced(t *testing.T) {
	s := sharedAPI(t)
	s.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/v1/users/") {
			w.Header().Set("Retry-After", "0")
			bapitest.Error(w, 429, "too_many_requests", "slow down")
			return true
		}
		return false
	})
	code, _, errOut := runArgs(t, "", "lookup", janeID)
	if code != 1 || strings.Count(errOut, "Backend API rate limited (HTTP 429) on GET /v1/users/{id}: waiting 1s as Retry-After asks") != 2 ||
		!strings.Contains(errOut, "of this run's 30s wait budget used") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}

// TestPlainHTTPRefused: a plain-http CLERK_API_URL to another machine is
// refused with the variable that allows it.
func TestPlainHTTPRefused(t *testing.T) {
	t.Setenv("CLERK_SECRET_KEY", liveKey)
	t.Setenv("CLERK_API_URL", "http://api.example.com")
	t.Setenv(bapiAllowHTTPEnvForTests, "")
	code, _, errOut := runArgs(t, "", "lookup", janeID)
	if code != 1 || !strings.Contains(errOut, "CLERKSCOPE_ALLOW_HTTP_API=1") || strings.Contains(errOut, liveKey) {
		t.Errorf("exit %d: %q", code, errOut)
	}
}
