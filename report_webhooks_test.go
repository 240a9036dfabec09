package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// TestReportWebhooks (issue 12, point 6): the report of a capture lists
// its webhook deliveries with their cause; signatures are redacted and the
// secret is masked, unless --no-redact shows the signatures.
func TestReportWebhooks(t *testing.T) {
	const capture = "testdata/webhooks/har/retries-and-duplicate.har"
	secret := webhookSecret(t, "testdata/webhooks/har/retries-and-duplicate.expect.json")
	code, out, errOut := runCLI(t, "", "report", "--webhook-secret", secret, capture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"## Webhook deliveries", "with the secret `" + webhook.MaskSecret(secret) + "`", "`duplicate-insert`", "### Across deliveries", "Signatures are redacted", "#1 2026-01-01T00:10:01Z: 200 after 15.5 s (past Svix's 15 s: a failure)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(out, secret) {
		t.Error("the report prints the secret")
	}
	ds, err := readDeliveries(capture, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, revealed, _ := runCLI(t, "", "report", "--no-redact", "--webhook-secret", secret, capture)
	shown := 0
	for _, d := range ds {
		v, _ := d.Get(webhook.HeaderSvixSignature)
		_, sig, _ := strings.Cut(v, ",")
		if strings.Contains(out, sig) {
			t.Errorf("the report holds the signature of %s", d.ID())
		}
		if strings.Contains(revealed, sig) {
			shown++
		}
	}
	if shown == 0 || strings.Contains(revealed, secret) {
		t.Errorf("--no-redact: %d signatures shown; the secret shown: %v", shown, strings.Contains(revealed, secret))
	}
	// From the environment, without a flag; and no section for a capture
	// without deliveries.
	t.Setenv(webhook.EnvSigningSecret, secret)
	if _, out, _ := runCLI(t, "", "report", capture); !strings.Contains(out, webhook.MaskSecret(secret)) {
		t.Error("CLERK_WEBHOOK_SIGNING_SECRET is not used")
	}
	if _, out, _ := runCLI(t, "", "report", "testdata/har/b-expired-handshake.har"); strings.Contains(out, "Webhook deliveries") {
		t.Error("a capture without deliveries has a webhook section")
	}
	// A gzipped capture is read whole.
	gz := filepath.Join(t.TempDir(), "hooks.har.gz")
	writeGzip(t, capture, gz)
	if _, out, _ := runCLI(t, "", "report", gz); !strings.Contains(out, "## Webhook deliveries") {
		t.Error("a .har.gz's deliveries are not in the report")
	}
}

func writeGzip(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReportWebhooksJSON (issue 12, point 6): report --format json ends
// with the deliveries under "webhooks", as webhook --json has them
// (signatures redacted unless --no-redact, the secret masked always); a
// capture piped on stdin and a delivery given as text have them too, in
// both formats.
func TestReportWebhooksJSON(t *testing.T) {
	const capture = "testdata/webhooks/har/retries-and-duplicate.har"
	secret := webhookSecret(t, "testdata/webhooks/har/retries-and-duplicate.expect.json")
	type doc struct {
		Requests []json.RawMessage `json:"requests"`
		Webhooks *struct {
			Secret     string `json:"secret"`
			Deliveries []struct {
				Headers []struct{ Name, Value string } `json:"headers"`
				Verdict struct{ State string }         `json:"verdict"`
			} `json:"deliveries"`
			Messages  []json.RawMessage       `json:"messages"`
			Diagnosis []struct{ Code string } `json:"diagnosis"`
		} `json:"webhooks"`
	}
	read := func(t *testing.T, stdin string, args ...string) (doc, string) {
		t.Helper()
		code, out, errs := runCLI(t, stdin, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var d doc
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		return d, out
	}
	d, out := read(t, "", "report", "--format", "json", "--webhook-secret", secret, capture)
	w := d.Webhooks
	if w == nil || len(w.Deliveries) != 6 || len(w.Messages) != 3 || w.Secret != webhook.MaskSecret(secret) || len(d.Requests) != 6 {
		t.Fatalf("webhooks %+v, %d requests", w, len(d.Requests))
	}
	codes := ""
	for _, dg := range w.Diagnosis {
		codes += dg.Code + " "
	}
	if !strings.Contains(codes, "duplicate-insert") || !strings.Contains(codes, "retried") {
		t.Errorf("the story's causes: %s", codes)
	}
	if strings.Contains(out, secret) {
		t.Error("the JSON report prints the secret")
	}
	ds, err := readDeliveries(capture, nil)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(i int) string {
		v, _ := ds[i].Get(webhook.HeaderSvixSignature)
		_, s, _ := strings.Cut(v, ",")
		return s
	}
	if strings.Contains(out, sig(0)) {
		t.Error("the JSON report holds a signature")
	}
	if _, revealed := read(t, "", "report", "--format", "json", "--no-redact", "--webhook-secret", secret, capture); !strings.Contains(revealed, sig(0)) || strings.Contains(revealed, secret) {
		t.Error("--no-redact: the signatures are not shown, or the secret is")
	}
	// A report without deliveries has no "webhooks".
	if _, plain := read(t, "", "report", "--format", "json", "testdata/har/b-expired-handshake.har"); strings.Contains(plain, `"webhooks"`) {
		t.Error("a capture without deliveries has webhooks")
	}

	// Piped on stdin.
	data, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := read(t, string(data), "report", "--format", "json", "--webhook-secret", secret, "-"); d.Webhooks == nil || len(d.Webhooks.Deliveries) != 6 {
		t.Error("a capture on stdin: no deliveries in the JSON report")
	}
	if code, md, errs := runCLI(t, string(data), "report", "--webhook-secret", secret, "-"); code != 0 || !strings.Contains(md, "## Webhook deliveries") || !strings.Contains(md, "# clerkscope report: stdin") {
		t.Errorf("a capture on stdin: exit %d %s; the Markdown report lacks its deliveries", code, errs)
	}

	// A delivery given as text: a raw request, and clerk CLI lines on stdin.
	hsecret := webhookSecret(t, "testdata/webhooks/http/reserialized.expect.json")
	d, _ = read(t, "", "report", "--format", "json", "--now", "1767225600", "--webhook-secret", hsecret, "testdata/webhooks/http/reserialized.http")
	if d.Webhooks == nil || len(d.Webhooks.Deliveries) != 1 || d.Webhooks.Deliveries[0].Verdict.State != "invalid" || len(d.Requests) != 1 {
		t.Errorf("a raw delivery: %+v", d.Webhooks)
	}
	lines, err := os.ReadFile("testdata/webhooks/cli/listen.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	code, md, errs := runCLI(t, string(lines), "report", "--webhook-secret", hsecret, "-")
	if code != 0 || !strings.Contains(md, "## Webhook deliveries") || !strings.Contains(md, "`body-reserialized`") || strings.Contains(md, hsecret) {
		t.Errorf("clerk CLI lines on stdin: exit %d %s\n%s", code, errs, md)
	}
}

// TestReportWebhookLookup: report --lookup looks up the events' users,
// sessions and organizations as webhook --lookup does, and says what the
// Backend API holds beside each failing delivery.
func TestReportWebhookLookup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"errors":[{"code":"resource_not_found","message":"not found"}]}`)
	}))
	defer srv.Close()
	const capture = "testdata/webhooks/har/middleware-protects-route.har"
	secret := webhookSecret(t, "testdata/webhooks/har/middleware-protects-route.expect.json")
	t.Setenv("CLERK_SECRET_KEY", "sk_test_"+strings.Repeat("k", 40))
	t.Setenv("CLERK_API_URL", srv.URL)
	t.Setenv("CLERKSCOPE_ALLOW_HTTP_API", "1")
	var out, errs strings.Builder
	if code := run(context.Background(), []string{"report", "--lookup", "--webhook-secret", secret, capture}, strings.NewReader(""), &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "- Backend API: user user_2yD4newUser not found") || !strings.Contains(out.String(), "deleted after this event") {
		t.Errorf("the report lacks the lookup of the event's user:\n%s", out.String())
	}
	if strings.Contains(out.String(), "kkkkkkkk") {
		t.Error("the secret key is printed")
	}
}
