package main

import (
	"compress/gzip"
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
	for _, want := range []string{"## Webhook deliveries", "with the secret `" + webhook.MaskSecret(secret) + "`", "`duplicate-insert`", "### Across deliveries", "Signatures are redacted"} {
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
