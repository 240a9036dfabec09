package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// evil carries what an adversarial capture can put in any field: OSC 52
// (writes a shell command into the clipboard), CSI 2J (clears the screen),
// OSC 0 (renames the window), SGR (a forged green verdict), a C1 CSI and a
// right-to-left override.
const evil = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07\x1b[2J\x1b]0;pwned\x07\x1b[32mSIGNED-IN (verified)\x1b[0m\u009b2J\u202etxt.exe"

// rawControls lists what in s a terminal would act on: C0 controls other
// than newline and tab, DEL, C1 and bidi controls, and bytes that are not
// UTF-8.
func rawControls(s string) []string {
	var found []string
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				found = append(found, fmt.Sprintf("byte %#x at %d", s[i], i))
			}
		case r < 0x20 && r != '\n' && r != '\t', r >= 0x7f && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			found = append(found, fmt.Sprintf("%U at %d", r, i))
		}
	}
	return found
}

// hostileJWT is a session token whose header and claims carry evil (its
// signature is not valid: the verdict does not matter here, its text does).
func hostileJWT(t testing.TB) string {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": "ins_" + evil}
	claims := map[string]any{"sub": "user_" + evil, "sid": "sess_" + evil, "azp": "https://app.example.com/" + evil,
		"iss": "https://clerk.example.com", "o": map[string]any{"id": "org_" + evil, "slg": evil, "rol": evil},
		"iat": 1795504000, "nbf": 1795503990, "exp": 1795504060, "v": 2}
	return enc(header) + "." + enc(claims) + "." + strings.Repeat("c2lnbmF0dXJl", 28)
}

// writeHostileHAR writes a capture with evil in every field clerkscope
// prints: URLs, header names and values, x-clerk-auth-*, cookie names and
// values, Set-Cookie lines, JWT claims, the status text and log.creator.
func writeHostileHAR(t testing.TB, dir string) string {
	tok := hostileJWT(t)
	h := func(name, value string) map[string]string { return map[string]string{"name": name, "value": value} }
	entry := func(started, method, url string, reqHeaders, resHeaders []map[string]string, cookies []map[string]string) map[string]any {
		return map[string]any{
			"startedDateTime": started, "time": 10,
			"request": map[string]any{"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": reqHeaders,
				"cookies": cookies, "queryString": []any{}, "headersSize": -1, "bodySize": 0},
			"response": map[string]any{"status": 200, "statusText": "OK " + evil, "httpVersion": "HTTP/1.1", "headers": resHeaders,
				"cookies": []any{}, "content": map[string]any{"size": 0, "mimeType": "text/html"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
			"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 10, "receive": 0},
		}
	}
	req := []map[string]string{h("Host", "app.example.com"), h("Sec-Fetch-Dest", "document"), h("User-Agent", evil), h("X-Evil"+evil, evil),
		h("Cookie", "__session="+tok+"; __client_uat=1795504000; __clerk_db_jwt=v"+evil+"; evil"+evil+"=v")}
	res := []map[string]string{h("x-clerk-auth-status", "signed-in"+evil), h("x-clerk-auth-reason", evil), h("x-clerk-auth-message", "msg "+evil),
		h("Set-Cookie", "__session"+evil+"=val"+evil+"; Path=/"), h("Location", "https://app.example.com/"+evil)}
	cookies := []map[string]string{{"name": "__session", "value": tok}, {"name": "__client_uat", "value": "1795504000"},
		{"name": "__clerk_db_jwt", "value": "v" + evil}, {"name": "evil" + evil, "value": "v"}}
	doc := map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]any{"name": "Chrome " + evil, "version": evil},
		"entries": []any{
			// A URL with controls (the SDK's URL parser refuses it), then a
			// clean one, so that the token and the lookup are judged too.
			entry("2026-11-24T07:06:40Z", "GET", "https://app.example.com/dashboard?q="+evil, req, res, cookies),
			entry("2026-11-24T07:06:40Z", "GET", "https://app.example.com/dashboard", req, res, cookies),
			entry("2026-11-24T07:06:41Z", "GET", "https://clerk.example.com/v1/client?__clerk_api_version=2025-11-10&x="+evil,
				[]map[string]string{h("Host", "clerk.example.com"), h("Origin", "https://app.example.com")}, []map[string]string{h("Content-Type", "application/json")}, nil),
		},
	}}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "hostile.har")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileAPI is a Backend API whose user, session and organization carry
// evil in every name.
func hostileAPI(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		e, _ := json.Marshal(evil)
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/users/"):
			fmt.Fprintf(w, `{"object":"user","id":"user_x","first_name":%s,"last_name":%s,"primary_email_address_id":"idn_1","email_addresses":[{"id":"idn_1","email_address":%s}]}`, e, e, e)
		case strings.HasPrefix(r.URL.Path, "/v1/sessions/"):
			fmt.Fprintf(w, `{"object":"session","id":"sess_x","status":%s,"user_id":"user_x","last_active_at":1795503921000,"expire_at":1796103921000}`, e)
		case strings.HasPrefix(r.URL.Path, "/v1/organizations/"):
			fmt.Fprintf(w, `{"object":"organization","id":"org_x","name":%s,"slug":%s}`, e, e)
		default:
			w.WriteHeader(404)
			fmt.Fprintf(w, `{"errors":[{"code":"resource_not_found","message":%s}]}`, e)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileInputNeverDrivesTheTerminal: every text clerkscope prints from
// a hostile capture, paste or Backend API record (explain, report, lookup,
// explain --lookup, errors) holds no raw control byte, and shows the
// controls escaped; JSON stays valid and exact.
func TestHostileInputNeverDrivesTheTerminal(t *testing.T) {
	dir := t.TempDir()
	har := writeHostileHAR(t, dir)
	paste := "Cookie: __session=" + hostileJWT(t) + "; evil" + evil + "=v" + evil + "\nUser-Agent: " + evil + "\n"
	check := func(t *testing.T, what, out string) {
		t.Helper()
		if raw := rawControls(out); len(raw) > 0 {
			t.Errorf("%s: %d raw controls (%v…) in:\n%s", what, len(raw), raw[0], out)
		}
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"explain text", "", []string{"explain", "--all", har}},
		{"report markdown", "", []string{"report", har}},
		{"explain a paste", paste, []string{"explain", "--url", "https://app.example.com/" + evil}},
		{"report a paste", paste, []string{"report", "-"}},
		{"dashboard without a terminal", "", []string{har}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.stdin, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			check(t, "stdout", out)
			check(t, "stderr", errOut)
			if !strings.Contains(out, `\x1b]52;c;`) && !strings.Contains(out, `\x1b[2J`) {
				t.Errorf("the controls are not shown escaped:\n%s", out)
			}
		})
	}
	t.Run("report file", func(t *testing.T) {
		path := filepath.Join(dir, "r.md")
		if code, _, errOut := runCLI(t, "", "report", "-o", path, har); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		data, _ := os.ReadFile(path)
		check(t, "report file", string(data))
	})
	t.Run("explain --json stays exact", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", "explain", "--json", har)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		check(t, "JSON", out)
		var doc struct {
			Requests []struct{ URL string } `json:"requests"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("invalid JSON: %v", err)
		}
		if len(doc.Requests) == 0 || doc.Requests[0].URL != "https://app.example.com/dashboard?q="+evil {
			t.Errorf("the URL did not survive exactly: %+q", doc.Requests)
		}
	})
	t.Run("errors", func(t *testing.T) {
		code, _, errOut := runCLI(t, "", "explain", filepath.Join(dir, "missing"+evil+".har"))
		if code != 1 {
			t.Errorf("exit %d", code)
		}
		check(t, "stderr", errOut)
	})
	t.Run("lookup and explain --lookup", func(t *testing.T) {
		srv := hostileAPI(t)
		for _, args := range [][]string{
			{"lookup", "user_x"}, {"lookup", "sess_x"}, {"lookup", "org_x"}, {"lookup", "--json", "user_x"}, {"lookup", "user_missing"},
			{"explain", "--lookup", har},
		} {
			for _, k := range []string{"CLERK_PUBLISHABLE_KEY", "CLERK_JWT_KEY"} {
				t.Setenv(k, "")
			}
			t.Setenv("CLERK_API_URL", srv.URL)
			t.Setenv("CLERK_SECRET_KEY", "sk_test_hostileKey0000000000000000001")
			var out, errb strings.Builder
			code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
			check(t, strings.Join(args, " ")+" stdout", out.String())
			check(t, strings.Join(args, " ")+" stderr", errb.String())
			if args[1] == "--json" {
				var rec struct {
					Lookup struct {
						User struct {
							FirstName string `json:"first_name"`
						}
					}
				}
				if err := json.Unmarshal([]byte(out.String()), &rec); err != nil || rec.Lookup.User.FirstName != evil {
					t.Errorf("lookup --json is not exact: %q, %v", rec.Lookup.User.FirstName, err)
				}
			} else if code == 0 && !strings.Contains(out.String(), `\x1b]52;`) && args[0] == "lookup" {
				t.Errorf("%v: the record is not shown escaped:\n%s", args, out.String())
			}
		}
	})
}

// TestSecretsRedactedInEveryFormat: the bundled dev capture's secrets,
// suffixed ones included (__clerk_db_jwt_g8uPP8vT, __session_g8uPP8vT,
// handshake tokens), are in none of text, JSON and Markdown.
func TestSecretsRedactedInEveryFormat(t *testing.T) {
	const capture = "testdata/har/e-dev-instance.har"
	secrets := harSecrets(t, capture)
	if len(secrets) < 3 {
		t.Fatalf("found only %d secrets in %s", len(secrets), capture)
	}
	for _, args := range [][]string{
		{"explain", "--all", capture},
		{"explain", "--json", "--all", capture},
		{"report", capture},
		{"report", "--format", "json", capture},
	} {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %.24s… printed", s)
				}
			}
		})
	}
}

// harSecrets lists the secret parts of a capture's Clerk values: every
// value of a secret cookie or query parameter family (a JWT's signature; a
// handshake token's claims too, which hold the session it sets).
func harSecrets(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Request struct {
					Cookies     []struct{ Name, Value string }
					QueryString []struct{ Name, Value string }
				}
				Response struct {
					Cookies []struct{ Name, Value string }
				}
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	add := func(name, value string) {
		secret := false
		for _, fam := range []string{"__session", "__refresh", "__clerk_db_jwt", "__clerk_handshake", "__client", "__dev_session"} {
			if name == fam || strings.HasPrefix(name, fam+"_") && !strings.HasPrefix(name, "__client_uat") {
				secret = true
			}
		}
		if !secret || len(value) < 8 {
			return
		}
		parts := strings.Split(value, ".")
		switch {
		case len(parts) == 3 && strings.HasPrefix(name, "__clerk_handshake"):
			parts = parts[1:]
		case len(parts) == 3:
			parts = parts[2:]
		}
		for _, p := range parts {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	for _, e := range doc.Log.Entries {
		for _, c := range append(append(e.Request.Cookies, e.Request.QueryString...), e.Response.Cookies...) {
			add(c.Name, c.Value)
		}
	}
	return out
}

// TestPrivateFiles: report -o writes a file only its owner can read, even
// over an existing readable one.
func TestPrivateFiles(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.md")
	old := filepath.Join(dir, "old.md")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fresh, old} {
		code, _, errOut := runCLI(t, "", "report", "--no-redact", "-o", path, "testdata/har/a-signed-in-happy.har")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(path), st.Mode().Perm())
		}
	}
}

// TestNowOutOfRange: a --now past JavaScript's Date range is refused in
// one line; its ends are accepted.
func TestNowOutOfRange(t *testing.T) {
	for _, s := range []string{"99999999999999999999", "8640000000000001", "1e400", "Inf"} {
		code, _, errOut := runCLI(t, "", "explain", "--now", s, "testdata/har/a-signed-in-happy.har")
		if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "out of range") {
			t.Errorf("--now %s: exit %d, %q", s, code, errOut)
		}
	}
	if got, err := parseNow("8640000000000000"); err != nil || got.Year() != 275760 {
		t.Errorf("the last valid millisecond: %v, %v", got, err)
	}
}

// TestInterruptedExitCodes: a run whose context a signal cancelled ends in
// every mode with 128 + the signal's number, one line and nothing on
// stdout; a read of a stdin that never ends stops at the signal.
func TestInterruptedExitCodes(t *testing.T) {
	const capture = "testdata/har/a-signed-in-happy.har"
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		args  []string
		while bool // the signal comes while the run waits for stdin
		want  int
	}{
		{"explain on SIGINT", syscall.SIGINT, []string{"explain", capture}, false, 130},
		{"explain --json on SIGTERM", syscall.SIGTERM, []string{"explain", "--json", capture}, false, 143},
		{"explain from stdin on SIGINT", syscall.SIGINT, []string{"explain"}, true, 130},
		{"explain from stdin on SIGTERM", syscall.SIGTERM, []string{"explain", "-"}, true, 143},
		{"report on SIGTERM", syscall.SIGTERM, []string{"report", capture}, false, 143},
		{"report from stdin on SIGINT", syscall.SIGINT, []string{"report", "-"}, true, 130},
		{"dashboard on SIGTERM", syscall.SIGTERM, []string{capture}, false, 143},
		{"dashboard from stdin on SIGHUP", syscall.SIGHUP, []string{"-"}, true, 129},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, pw := io.Pipe() // a stdin that never ends
			defer pw.Close()
			ctx, cancel := context.WithCancelCause(context.Background())
			if tc.while {
				time.AfterFunc(50*time.Millisecond, func() { cancel(stoppedBy{tc.sig}) })
			} else {
				cancel(stoppedBy{tc.sig})
			}
			done := make(chan struct{})
			var code int
			var out, errOut string
			go func() {
				defer close(done)
				code, out, errOut = runCLIWith(t, ctx, pr, tc.args...)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the run did not stop")
			}
			want := "clerkscope: " + stoppedBy{tc.sig}.Error() + "\n"
			if code != tc.want || errOut != want || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %.40q: want %d, %q and nothing", code, errOut, out, tc.want, want)
			}
		})
	}
}

// TestSignalsEndTheProcess runs clerkscope (this test binary, as main)
// reading a stdin that never ends, and signals it: SIGINT exits 130,
// SIGTERM 143, each with one line.
func TestSignalsEndTheProcess(t *testing.T) {
	if os.Getenv("CLERKSCOPE_TEST_MAIN") == "1" {
		ctx, stop := signalContext()
		defer stop()
		fmt.Println("ready")
		os.Exit(run(ctx, []string{"explain"}, os.Stdin, os.Stdout, os.Stderr))
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSignalsEndTheProcess$")
			cmd.Env = append(os.Environ(), "CLERKSCOPE_TEST_MAIN=1")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			timer := time.AfterFunc(20*time.Second, func() { _ = cmd.Process.Kill() })
			defer timer.Stop()
			// Some text, then a stdin that stays open: explain waits on it.
			_, _ = io.WriteString(stdin, "Cookie: __client_uat=0\n")
			if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
				t.Fatalf("child said %q", line)
			}
			time.Sleep(100 * time.Millisecond)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.want {
				t.Fatalf("exit %v, want %d (stderr %q)", err, tc.want, stderr.String())
			}
			if n := strings.Count(stderr.String(), "\n"); n != 1 {
				t.Errorf("stderr has %d lines: %q", n, stderr.String())
			}
		})
	}
}
