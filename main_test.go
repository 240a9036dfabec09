package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWith(t, context.Background(), strings.NewReader(stdin), args...)
}

// runCLIWith is runCLI with a context and any stdin.
func runCLIWith(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	for _, k := range []string{"CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY", "CLERK_JWT_KEY", "CLERK_API_URL"} {
		t.Setenv(k, "")
	}
	var out, errb bytes.Buffer
	code := run(ctx, args, stdin, &out, &errb)
	return code, out.String(), errb.String()
}

func caseCookie(t *testing.T, name string) string {
	data, err := os.ReadFile("testdata/auth-cases/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Request struct {
			Headers map[string]string `json:"headers"`
		} `json:"request"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c.Request.Headers["cookie"]
}

// TestREADMECommand: without a terminal the README's dashboard command
// prints the explain text of the bundled capture.
func TestREADMECommand(t *testing.T) {
	code, out, errOut := runCLI(t, "", "testdata/har/b-expired-handshake.har", "--jwt-key", "testdata/keys/instance-public.pem")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"HANDSHAKE  session-token-expired-refresh-non-eligible-no-refresh-cookie", "Handshake refreshed the session", "Signature: verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("escape codes in piped output")
	}
}

func TestExplainPipedCookieHeader(t *testing.T) {
	cookie := caseCookie(t, "prod-expired-document")
	code, out, errOut := runCLI(t, "Cookie: "+cookie, "explain", "--now", "1767225600", "--url", "https://example.com/dashboard")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"HANDSHAKE", "session-token-expired-refresh-non-eligible-no-refresh-cookie",
		"The session token expired 9 min 0 s before this request", "Why:", "Next:", "clerk.example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "0wdGnFoF7hQLg") {
		t.Error("the token's signature is printed without --reveal")
	}
}

func TestExplainCurl(t *testing.T) {
	cmd := "curl 'https://example.com/api/data' -H 'sec-fetch-dest: empty' -H 'cookie: " + caseCookie(t, "prod-valid-session-document") + "'"
	code, out, _ := runCLI(t, cmd, "explain", "--json", "--now", "2026-01-01T00:00:00Z", "--jwt-key", "testdata/keys/instance-public.pem")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Requests []struct {
			Status    string `json:"status"`
			URL       string `json:"url"`
			Signature struct {
				State string `json:"state"`
			} `json:"signature"`
			Auth struct {
				UserID string `json:"userId"`
			} `json:"auth"`
			Evidence []json.RawMessage `json:"evidence"`
		} `json:"requests"`
		Instance struct {
			FrontendAPI string `json:"frontendApi"`
		} `json:"instance"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	r := doc.Requests[0]
	if r.Status != "signed-in" || r.URL != "https://example.com/api/data" || r.Signature.State != "verified" || r.Auth.UserID != "user_2oracleUser0000000000001" || len(r.Evidence) == 0 {
		t.Errorf("request %+v", r)
	}
	if doc.Instance.FrontendAPI != "clerk.example.com" {
		t.Errorf("instance %+v", doc.Instance)
	}
}

// TestExplainCaseAsHAR does what the private check does: a case's options
// as --config and its request as a one-entry HAR.
func TestExplainCaseAsHAR(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"prod-expired-document", "dev-no-db-jwt-document", "prod-missing-secret-key", "prodSat-synced-false"} {
		data, _ := os.ReadFile("testdata/auth-cases/" + name + ".json")
		var c struct {
			Now     int64           `json:"now"`
			Request json.RawMessage `json:"request"`
			Options json.RawMessage `json:"options"`
			Expect  struct {
				Status string  `json:"status"`
				Reason *string `json:"reason"`
			} `json:"expect"`
		}
		_ = json.Unmarshal(data, &c)
		var req struct {
			URL     string            `json:"url"`
			Method  string            `json:"method"`
			Headers map[string]string `json:"headers"`
		}
		_ = json.Unmarshal(c.Request, &req)
		var hs []map[string]string
		for k, v := range req.Headers {
			hs = append(hs, map[string]string{"name": k, "value": v})
		}
		har := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]any{"name": "test"}, "entries": []any{map[string]any{
			"startedDateTime": "2026-01-01T00:00:00.000Z",
			"request":         map[string]any{"method": req.Method, "url": req.URL, "headers": hs, "cookies": []any{}},
			"response":        map[string]any{"status": 0, "headers": []any{}},
		}}}}
		hb, _ := json.Marshal(har)
		_ = os.WriteFile(filepath.Join(dir, "one.har"), hb, 0o600)
		_ = os.WriteFile(filepath.Join(dir, "app.json"), c.Options, 0o600)
		code, out, errOut := runCLI(t, "", "explain", "--json", "--config", filepath.Join(dir, "app.json"), filepath.Join(dir, "one.har"))
		if code != 0 {
			t.Fatalf("%s: exit %d %s", name, code, errOut)
		}
		want := c.Expect.Status
		if c.Expect.Reason != nil {
			want += " " + *c.Expect.Reason
		}
		if got := firstVerdict(t, out); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte("{not json"), 0o600)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"empty stdin", "", []string{"explain"}, 1, "empty"},
		{"binary", "\x00\x01\x02garbage", []string{"explain"}, 1, "binary"},
		{"truncated JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEi", []string{"explain"}, 1, ""},
		{"invalid publishable key", "Cookie: a=b", []string{"explain", "--publishable-key", "pk_live_nope"}, 1, "Publishable key not valid"},
		{"missing config", "Cookie: a=b", []string{"explain", "--config", filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"config not JSON", "Cookie: a=b", []string{"explain", "--config", bad}, 1, "not a JSON object"},
		{"missing file", "", []string{"explain", filepath.Join(dir, "missing.har")}, 1, "no such file"},
		{"bad --now", "Cookie: a=b", []string{"explain", "--now", "yesterday"}, 2, "--now"},
		{"unknown flag", "", []string{"explain", "--frobnicate"}, 2, "frobnicate"},
		{"bad -H", "Cookie: a=b", []string{"explain", "-H", "nocolon"}, 2, "Name: value"},
		{"truncated HAR", "", []string{"explain", "testdata/har-samples/truncated.har"}, 1, "truncated"},
		{"invalid HAR", "", []string{"explain", "testdata/har-samples/invalid.har"}, 1, "line 63, column 25"},
		{"bad jwt key", "Cookie: a=b", []string{"explain", "--jwt-key", "testdata/bapi/users.json"}, 1, "PEM"},
		{"report format", "", []string{"report", "--format", "pdf", "x.har"}, 2, "md or json"},
		{"lookup without key", "", []string{"lookup", "user_1"}, 1, "CLERK_SECRET_KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if errOut == "" || len(lines) != 1 {
				t.Errorf("want a one-line error, got %q", errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("error %q does not mention %q", errOut, tc.want)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
				t.Errorf("panic: %s", errOut)
			}
		})
	}
}

func TestReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.md")
	code, _, errOut := runCLI(t, "", "report", "-o", out, "--jwt-key", "testdata/keys/instance-public.pem", "testdata/har/c-signed-out.har")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	data, _ := os.ReadFile(out)
	s := string(data)
	for _, want := range []string{"# clerkscope report", "## Findings", "The user signed out", "| 15 |", "## Verdicts in detail", "### entry 15: GET", "## Session tokens", "‹sig#"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(s, "sk_live_") {
		t.Error("secret in the report")
	}
	code, js, _ := runCLI(t, "", "report", "--format", "json", "testdata/har/a-signed-in-happy.har")
	if code != 0 || !json.Valid([]byte(js)) {
		t.Errorf("json report: %d", code)
	}
}

// TestLookupWithFakeAPI runs explain --lookup and lookup against a local
// Backend API: the secret key never shows, a wrong key gives one clear line.
func TestLookupWithFakeAPI(t *testing.T) {
	const key = "sk_live_cliTestKey00000000000000000001"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"errors":[{"code":"authentication_invalid","message":"invalid key","long_message":"The secret key sk_live_cliTestKey00000000000000000001 is invalid"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/users/"):
			_, _ = w.Write([]byte(`{"object":"user","id":"user_2harlabJaneDoe00000000001","first_name":"Jane","last_name":"Doe","primary_email_address_id":"idn_1","email_addresses":[{"id":"idn_1","email_address":"jane@example.com"}],"banned":false,"locked":false}`))
		case strings.HasPrefix(r.URL.Path, "/v1/sessions/"):
			_, _ = w.Write([]byte(`{"object":"session","id":"sess_x","status":"revoked","user_id":"user_2harlabJaneDoe00000000001","last_active_at":1795503921000,"expire_at":1796103921000}`))
		default:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"errors":[{"code":"resource_not_found","message":"not found"}]}`))
		}
	}))
	defer srv.Close()
	for _, k := range []string{"CLERK_PUBLISHABLE_KEY", "CLERK_JWT_KEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("CLERK_API_URL", srv.URL)
	t.Setenv("CLERK_SECRET_KEY", key)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"explain", "--lookup", "--jwt-key", "testdata/keys/instance-public.pem", "testdata/har/a-signed-in-happy.har"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "Jane Doe <‹email#") || strings.Contains(s, "jane@example.com") || !strings.Contains(s, "REVOKED") || !strings.Contains(s, "the session is revoked at the Backend API") {
		t.Errorf("lookup output:\n%s", s)
	}
	out.Reset()
	if code := run(context.Background(), []string{"explain", "--lookup", "--reveal", "--jwt-key", "testdata/keys/instance-public.pem", "testdata/har/a-signed-in-happy.har"}, strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), "Jane Doe <jane@example.com>") {
		t.Errorf("--reveal: exit %d\n%s", code, out.String())
	}
	t.Setenv("CLERK_SECRET_KEY", "sk_live_wrongKey000000000000000000009")
	out.Reset()
	errb.Reset()
	code = run(context.Background(), []string{"lookup", "user_2harlabJaneDoe00000000001"}, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "HTTP 401") || !strings.Contains(errb.String(), "wrong or revoked") {
		t.Errorf("wrong key: %d %q", code, errb.String())
	}
	if strings.Contains(errb.String()+out.String(), "wrongKey000") || strings.Contains(errb.String(), "cliTestKey0000") {
		t.Errorf("secret key printed: %q", errb.String())
	}
}

func TestExplainSetCookieLines(t *testing.T) {
	in := "Set-Cookie: __client_uat=1767222000; Domain=example.com; Max-Age=31536000; Secure; SameSite=Strict\nSet-Cookie: __clerk_handshake=; Max-Age=0\n"
	code, out, _ := runCLI(t, in, "explain", "--publishable-key", "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "--url", "https://example.com/")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"__client_uat=1767222000; Domain=example.com; Max-Age=31536000; Secure; SameSite=strict",
		"__clerk_handshake=; host-only; deletes the cookie (Max-Age=0)", "client-uat-but-no-session-token"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestExplainCaseFile: an oracle case file is an input of its own, with
// its options, clock and canned Backend API answers.
func TestExplainCaseFile(t *testing.T) {
	for name, want := range map[string]string{
		"prod-refresh-success":        "signed-in",
		"prod-no-jwtkey-kid-mismatch": "signed-out jwk-kid-mismatch",
		"dev-handshake-bad-signature": "throws",
	} {
		code, out, errOut := runCLI(t, "", "explain", "--json", "testdata/auth-cases/"+name+".json")
		if code != 0 {
			t.Fatalf("%s: exit %d %s", name, code, errOut)
		}
		if got := firstVerdict(t, out); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

// firstVerdict reads "status reason" of the first request of explain --json.
func firstVerdict(t *testing.T, out string) string {
	t.Helper()
	var doc struct {
		Requests []struct {
			Status string  `json:"status"`
			Reason *string `json:"reason"`
		} `json:"requests"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Requests) == 0 {
		t.Fatalf("not an explain document: %v", err)
	}
	got := doc.Requests[0].Status
	if doc.Requests[0].Reason != nil {
		got += " " + *doc.Requests[0].Reason
	}
	return got
}

// TestErrorsPrintedOnce: an input error, a cancelled run and a report that
// fails part-way are each one line on stderr, exit 1.
func TestErrorsPrintedOnce(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"missing file", "", []string{"explain", filepath.Join(dir, "missing.har")}, "missing.har: no such file"},
		{"empty stdin", "", []string{"explain"}, "stdin: the input is empty"},
		{"binary stdin", "\x00\x01\x02garbage", []string{"explain"}, "stdin: the input is binary"},
		{"truncated HAR", "", []string{"explain", "testdata/har-samples/truncated.har"}, "truncated.har: the capture is truncated"},
		{"invalid HAR", "", []string{"explain", "--json", "testdata/har-samples/invalid.har"}, "line 63, column 25"},
		{"one of two inputs missing", "", []string{"explain", "testdata/har/a-signed-in-happy.har", filepath.Join(dir, "missing.har")}, "missing.har: no such file"},
		{"report of a truncated HAR", "", []string{"report", "-o", filepath.Join(dir, "r.md"), "testdata/har-samples/truncated.har"}, "truncated.har: the capture is truncated"},
		{"report of a missing file", "", []string{"report", filepath.Join(dir, "missing.har")}, "missing.har: no such file"},
		{"dashboard without a terminal", "", []string{filepath.Join(dir, "missing.har")}, "missing.har: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tc.stdin, tc.args...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if n := strings.Count(errOut, "\n"); n != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr has %d lines, want one that says %q:\n%s", n, tc.want, errOut)
			}
		})
	}
	// What a report writes before the break is kept.
	if data, _ := os.ReadFile(filepath.Join(dir, "r.md")); !strings.Contains(string(data), "# clerkscope report") {
		t.Errorf("the report of a truncated capture was not written:\n%s", data)
	}
}

// TestCancelledRunPrintedOnce: interrupting explain while it waits for
// input ends it with one line and exit 130, as SIGINT does.
func TestCancelledRunPrintedOnce(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		// A HAR head past the sniffing window, then nothing more: the
		// reader waits until the run is cancelled.
		_, _ = pw.Write([]byte(`{"log":{"version":"1.2","creator":{"name":"test"},"entries":[` + strings.Repeat(" ", 8192)))
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	code, _, errOut := runCLIWith(t, ctx, pr, "explain", "-")
	if code != 130 || errOut != "clerkscope: interrupted\n" {
		t.Errorf("exit %d, stderr %q: want exit 130 and one line", code, errOut)
	}
}

// TestHelp: -h and --help print the command's usage on stdout, exit 0.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"explain", "--help"}, "Usage: clerkscope explain"},
		{[]string{"explain", "-h"}, "Usage: clerkscope explain"},
		{[]string{"explain", "x.har", "-h"}, "Usage: clerkscope explain"},
		{[]string{"report", "-h"}, "Usage: clerkscope report [--format md|json] [--no-redact] [-o FILE]"},
		{[]string{"report", "--help"}, "-o FILE                 write the report to FILE"},
		{[]string{"lookup", "-h"}, "Usage: clerkscope lookup [--json [--records]] [--by KIND] QUERY"},
		{[]string{"help", "report"}, "Usage: clerkscope report"},
		{[]string{"--help"}, "clerkscope report [--format md|json] [--no-redact] [-o FILE] [flags] INPUT"},
		{[]string{"help"}, "clerkscope COMMAND -h"},
		{[]string{"testdata/har/a-signed-in-happy.har", "-h"}, "Usage:\n  clerkscope "},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tc.args...)
			if code != 0 || errOut != "" {
				t.Errorf("exit %d, stderr %q", code, errOut)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

// TestUsageListsEveryFlag: each flag explain and report accept is in their
// usage.
func TestUsageListsEveryFlag(t *testing.T) {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	var f judgeFlags
	f.register(fs)
	fs.VisitAll(func(fl *flag.Flag) {
		if fl.Name == "header" { // the long spelling of -H
			return
		}
		dash := "--"
		if len(fl.Name) == 1 {
			dash = "-"
		}
		if !strings.Contains(explainUsage, "  "+dash+fl.Name+" ") {
			t.Errorf("explain's usage does not list %s%s", dash, fl.Name)
		}
	})
	for _, want := range []string{"--format md|json", "--no-redact", "-o FILE", "--config FILE", "--jwt-key", "--reveal"} {
		if !strings.Contains(reportUsage, "  "+want) {
			t.Errorf("report's usage does not list %s", want)
		}
	}
}

// TestUnknownCommand: a word that names no file and is not path-shaped is
// an unknown command (once, exit 2); anything else is still opened.
func TestUnknownCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "", "frobnicate")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `unknown command "frobnicate"`) || strings.Contains(errOut, "no such file:") {
		t.Errorf("frobnicate: exit %d, stderr %q", code, errOut)
	}
	dir := t.TempDir()
	for _, p := range []string{filepath.Join(dir, "frobnicate"), "frobnicate.har"} {
		code, _, errOut := runCLI(t, "", p)
		if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "no such file") {
			t.Errorf("%s: exit %d, stderr %q: want one 'no such file'", p, code, errOut)
		}
	}
	// A file with a command-like name is opened.
	cookie := caseCookie(t, "prod-expired-document")
	_ = os.WriteFile(filepath.Join(dir, "capture"), []byte("Cookie: "+cookie), 0o600)
	t.Chdir(dir)
	if code, out, errOut := runCLI(t, "", "capture", "--now", "1767225600"); code != 0 || !strings.Contains(out, "HANDSHAKE") {
		t.Errorf("a file named capture: exit %d, %s", code, errOut)
	}
	// - is stdin.
	if code, out, errOut := runCLI(t, "Cookie: "+cookie, "-", "--now", "1767225600"); code != 0 || !strings.Contains(out, "HANDSHAKE") {
		t.Errorf("-: exit %d, %s", code, errOut)
	}
}

// TestDashboardUnreadableInput: a file given to the dashboard that cannot
// be read ends with its error and exit 1, before any screen (or, without a
// terminal, any verdict) is shown.
func TestDashboardUnreadableInput(t *testing.T) {
	for path, want := range map[string]string{
		"testdata/har-samples/invalid.har":    "invalid JSON at line 63, column 25",
		"testdata/har-samples/not-a-har.json": "neither a HAR",
		"testdata/har":                        "is a folder",
	} {
		code, out, errOut := runCLI(t, "", path)
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", path, code, out, errOut)
		}
	}
	// A truncated capture still opens: the entries before the break count.
	if code, out, _ := runCLI(t, "", "testdata/har-samples/truncated.har"); code != 1 || !strings.Contains(out, "GET") {
		t.Errorf("truncated capture: exit %d:\n%s", code, out)
	}
}

// TestVersion: version, --version and -v print the build's version, not a
// hard-coded one.
func TestVersion(t *testing.T) {
	want := "clerkscope " + readBuild().String() + " (verdicts of @clerk/backend 3.25.0)\n"
	for _, arg := range []string{"version", "--version", "-v"} {
		code, out, errOut := runCLI(t, "", arg)
		if code != 0 || errOut != "" || out != want {
			t.Errorf("%s: exit %d, %q, want %q", arg, code, out, want)
		}
	}
}

func TestBuildOf(t *testing.T) {
	const rev = "21f72c94f6ef8aa68fc73b408cfa01974fed8f72"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	gov := runtime.Version()
	for _, tc := range []struct {
		name    string
		info    *debug.BuildInfo
		version string
		ua      string
	}{
		{"no build info", nil, "(devel)", "github.com/clerkscope/clerkscope/devel (" + gov + ")"},
		{"devel, no VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)", "github.com/clerkscope/clerkscope/devel (" + gov + ")"},
		{"devel, dirty tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")}, "(devel) 21f72c94f6ef+dirty", "github.com/clerkscope/clerkscope/devel (21f72c94f6ef+dirty; " + gov + ")"},
		{"devel, clean tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")}, "(devel) 21f72c94f6ef", "github.com/clerkscope/clerkscope/devel (21f72c94f6ef; " + gov + ")"},
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261124101537-21f72c94f6ef+dirty"}, Settings: vcs("true")},
			"v0.0.0-20261124101537-21f72c94f6ef+dirty", "github.com/clerkscope/clerkscope/v0.0.0-20261124101537-21f72c94f6ef+dirty (" + gov + ")"},
		{"go install of a release", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0", "github.com/clerkscope/clerkscope/v1.2.0 (" + gov + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := buildOf(tc.info)
			if got := b.String(); got != tc.version {
				t.Errorf("version %q, want %q", got, tc.version)
			}
			if got := b.userAgent(); got != tc.ua {
				t.Errorf("User-Agent %q, want %q", got, tc.ua)
			}
		})
	}
	t.Run("-ldflags -X main.version", func(t *testing.T) {
		old := version
		t.Cleanup(func() { version = old })
		version = "0.4.0"
		if got := readBuild(); got.version != "0.4.0" || !strings.HasPrefix(got.userAgent(), "github.com/clerkscope/clerkscope/0.4.0 (") {
			t.Errorf("%+v %s", got, got.userAgent())
		}
	})
}

// TestUserAgentIsTheVersion: the Backend API client announces the same
// version as clerkscope version.
func TestUserAgentIsTheVersion(t *testing.T) {
	agents := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents <- r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"user","id":"user_2harlabJaneDoe00000000001","first_name":"Jane","last_name":"Doe"}`))
	}))
	defer srv.Close()
	for _, k := range []string{"CLERK_PUBLISHABLE_KEY", "CLERK_JWT_KEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("CLERK_API_URL", srv.URL)
	t.Setenv("CLERK_SECRET_KEY", "sk_live_cliTestKey00000000000000000001")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"lookup", "user_2harlabJaneDoe00000000001"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b := readBuild()
	if got := <-agents; got != b.userAgent() || !strings.HasPrefix(got, "github.com/clerkscope/clerkscope/"+strings.Trim(b.version, "()")+" ") {
		t.Errorf("User-Agent %q, want %q", got, b.userAgent())
	}
}

// TestGrammar: one of a thing is singular in the text and the report.
func TestGrammar(t *testing.T) {
	_, out, _ := runCLI(t, "", "explain", "--jwt-key", "testdata/keys/instance-public.pem", "testdata/har/b-expired-handshake.har")
	_, md, _ := runCLI(t, "", "report", "--jwt-key", "testdata/keys/instance-public.pem", "testdata/har/b-expired-handshake.har")
	for name, tc := range map[string]struct {
		text       string
		want, bans []string
	}{
		"explain": {out, []string{"signed out, 1 handshake\n", "The user signed in  (entry 4)", "(entries 9, 10, 11)"}, []string{"1 handshakes", "(entries 4)"}},
		"report":  {md, []string{"signed out, 1 handshake)", "The user signed in** (entry 4)", "(entries 9, 10, 11)"}, []string{"1 handshakes", "(entries 4)"}},
	} {
		for _, w := range tc.want {
			if !strings.Contains(tc.text, w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
		for _, b := range tc.bans {
			if strings.Contains(tc.text, b) {
				t.Errorf("%s says %q", name, b)
			}
		}
	}
}

// explainDoc is the part of explain --json these tests read.
type explainDoc struct {
	Requests []struct {
		Status      string   `json:"status"`
		Reason      *string  `json:"reason"`
		Error       string   `json:"error"`
		Assumptions []string `json:"assumptions"`
		Signature   *struct {
			State string `json:"state"`
			Key   string `json:"key"`
		} `json:"signature"`
	} `json:"requests"`
	Notes []string `json:"notes"`
}

func readExplain(t *testing.T, out string) explainDoc {
	t.Helper()
	var doc explainDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Requests) == 0 {
		t.Fatalf("not an explain document: %v\n%s", err, out)
	}
	return doc
}

func anyContains(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

// TestConfigWithOnlyPublishableKey: a config that names no key means the
// app has its secret key in its own environment (real verdicts, said in
// the assumptions, with how to get a key); "secretKey": null is an app
// without one, whatever clerkscope's own environment holds.
func TestConfigWithOnlyPublishableKey(t *testing.T) {
	dir := t.TempDir()
	pkOnly := filepath.Join(dir, "pk.json")
	noSecret := filepath.Join(dir, "null.json")
	_ = os.WriteFile(pkOnly, []byte(`{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}`), 0o600)
	_ = os.WriteFile(noSecret, []byte(`{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "secretKey": null}`), 0o600)

	code, out, errOut := runCLI(t, "", "explain", "--json", "--config", pkOnly, "testdata/har/a-signed-in-happy.har")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	signedIn := 0
	for i, r := range readExplain(t, out).Requests {
		if r.Status == "throws" {
			t.Fatalf("request %d throws: %s", i, r.Error)
		}
		if !anyContains(r.Assumptions, "the config names no key") {
			t.Errorf("request %d: assumptions %q", i, r.Assumptions)
		}
		if r.Status == "signed-in" {
			signedIn++
			if r.Signature == nil || r.Signature.State != "unverified" || !anyContains(r.Assumptions, "--jwt-key with the PEM public key from the Dashboard's API keys page") || !anyContains(r.Assumptions, "--fetch-jwks") {
				t.Errorf("request %d: signature %+v, assumptions %q", i, r.Signature, r.Assumptions)
			}
		}
	}
	if signedIn == 0 {
		t.Error("no request signed in")
	}
	_, text, _ := runCLI(t, "", "explain", "--config", pkOnly, "testdata/har/a-signed-in-happy.har")
	if strings.Contains(text, "THROWS") || !strings.Contains(text, "the config names no key") {
		t.Errorf("text output:\n%s", text)
	}
	_, out, _ = runCLI(t, "", "explain", "--json", "--config", pkOnly, "--jwt-key", "testdata/keys/instance-public.pem", "testdata/har/a-signed-in-happy.har")
	for i, r := range readExplain(t, out).Requests {
		if r.Status == "signed-in" && (r.Signature == nil || r.Signature.State != "verified") {
			t.Errorf("with --jwt-key, request %d: %+v", i, r.Signature)
		}
	}

	t.Setenv("CLERK_SECRET_KEY", "sk_live_cliTestKey00000000000000000001")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"explain", "--json", "--config", noSecret, "testdata/har/a-signed-in-happy.har"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for i, r := range readExplain(t, stdout.String()).Requests {
		if r.Status != "throws" || !strings.HasPrefix(r.Error, "Missing Clerk Secret Key") {
			t.Errorf(`"secretKey": null, request %d: %s %q`, i, r.Status, r.Error)
		}
	}
}

// jwksOf is the JWKS document of a PEM public key under kid.
func jwksOf(t *testing.T, path, kid string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rk := pub.(*rsa.PublicKey)
	doc, _ := json.Marshal(map[string]any{"keys": []any{map[string]string{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(rk.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(rk.E)).Bytes()),
	}}})
	return doc
}

// TestFetchJWKSFlag: --fetch-jwks verifies with the Frontend API's JWKS
// (fetched once per run, for a given or an inferred instance); a failure
// is one line on stderr and the verdicts stay unverified.
func TestFetchJWKSFlag(t *testing.T) {
	jwks := jwksOf(t, "testdata/keys/instance-public.pem", "ins_2oracleFakeInstanceId0000")
	dir := t.TempDir()
	pkOnly := filepath.Join(dir, "pk.json")
	_ = os.WriteFile(pkOnly, []byte(`{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}`), 0o600)
	for _, tc := range []struct {
		name   string
		status int
		args   []string
	}{
		{"config", 200, []string{"--config", pkOnly}},
		{"inferred instance", 200, nil},
		{"not found", 404, []string{"--config", pkOnly}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits = append(hits, r.URL.Path)
				w.WriteHeader(tc.status)
				if tc.status == 200 {
					_, _ = w.Write(jwks)
				}
			}))
			defer srv.Close()
			old := frontendAPIBase
			frontendAPIBase = srv.URL
			t.Cleanup(func() { frontendAPIBase = old })
			args := append([]string{"explain", "--json", "--fetch-jwks"}, tc.args...)
			code, out, errOut := runCLI(t, "", append(args, "testdata/har/a-signed-in-happy.har")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if len(hits) != 1 || hits[0] != "/.well-known/jwks.json" {
				t.Errorf("fetches %q, want one of /.well-known/jwks.json", hits)
			}
			want := "verified"
			if tc.status != 200 {
				want = "unverified"
				if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--fetch-jwks") || !strings.Contains(errOut, "HTTP 404") || !strings.Contains(errOut, "not verified (no key)") {
					t.Errorf("stderr %q, want one line about the failed fetch", errOut)
				}
			} else if errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			signedIn := 0
			for i, r := range readExplain(t, out).Requests {
				if r.Status != "signed-in" {
					continue
				}
				signedIn++
				if r.Signature == nil || r.Signature.State != want {
					t.Errorf("request %d: %+v, want %s", i, r.Signature, want)
				}
				if want == "unverified" && !anyContains(r.Assumptions, "HTTP 404") {
					t.Errorf("request %d: assumptions %q", i, r.Assumptions)
				}
			}
			if signedIn == 0 {
				t.Error("no request signed in")
			}
		})
	}
}

// TestBareJWTIsAFetch: a pasted token is judged as the fetch that sends it
// in Authorization: Bearer, unless -H says it is a page load.
func TestBareJWTIsAFetch(t *testing.T) {
	data, err := os.ReadFile("testdata/auth-cases/prod-bearer-expired-fetch.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Request struct {
			Headers map[string]string `json:"headers"`
		} `json:"request"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimPrefix(c.Request.Headers["authorization"], "Bearer ")
	base := []string{"explain", "--json", "--now", "2026-01-01T00:00:00Z", "--publishable-key", "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}
	_, out, errOut := runCLI(t, tok+"\n", base...)
	doc := readExplain(t, out)
	if got := firstVerdict(t, out); got != "signed-out session-token-expired-refresh-non-eligible-no-refresh-cookie" {
		t.Errorf("bare JWT: %s (%s)", got, errOut)
	}
	if !anyContains(doc.Notes, "judged as a fetch with Authorization: Bearer") || !anyContains(doc.Notes, "add -H 'Sec-Fetch-Dest: document' to judge it as a page load") || anyContains(doc.Notes, "page navigation") {
		t.Errorf("notes %q", doc.Notes)
	}
	_, out, _ = runCLI(t, tok+"\n", append(base, "-H", "Sec-Fetch-Dest: document")...)
	if got := firstVerdict(t, out); got != "handshake session-token-expired-refresh-non-eligible-no-refresh-cookie" {
		t.Errorf("as a page load: %s", got)
	}
	if anyContains(readExplain(t, out).Notes, "judged as a fetch") {
		t.Errorf("notes %q", readExplain(t, out).Notes)
	}
}
