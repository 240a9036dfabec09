package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNamedInstances: --instance takes the keys of a profile from the
// config file, never a secret from it, and config shows the file.
func TestNamedInstances(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	t.Setenv("CLERKSCOPE_CONFIG", cfg)
	t.Setenv("ACME_CLERK_SECRET_KEY", "sk_live_"+strings.Repeat("z", 40))

	code, out, _ := runCLI(t, "", "config")
	if code != 0 || !strings.Contains(out, cfg) || !strings.Contains(out, "not there yet") || !strings.Contains(out, "secretKeyEnv") {
		t.Fatalf("config without a file: %d %q", code, out)
	}

	pem, _ := filepath.Abs("testdata/keys/instance-public.pem")
	os.WriteFile(cfg, []byte(`{"instances": {"acme": {"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "jwtKey": "`+pem+`", "secretKeyEnv": "ACME_CLERK_SECRET_KEY"}}}`), 0o600)
	code, out, _ = runCLI(t, "", "config")
	if code != 0 || !strings.Contains(out, "acme") || !strings.Contains(out, "production clerk.example.com") || !strings.Contains(out, "sk_live_…zzzz") || strings.Contains(out, strings.Repeat("z", 20)) {
		t.Errorf("config: %q", out)
	}

	code, out, errOut := runCLI(t, "", "explain", "--json", "--instance", "acme", "testdata/har/a-signed-in-happy.har")
	if code != 0 || !strings.Contains(out, `"state":"verified"`) && !strings.Contains(out, `"state": "verified"`) {
		t.Errorf("explain --instance: %d %s %.300s", code, errOut, out)
	}
	if strings.Contains(out, "inferred") && strings.Contains(out, `"publishableKey":""`) {
		t.Errorf("the profile's publishable key was not used")
	}

	code, _, errOut = runCLI(t, "", "explain", "--instance", "nope", "testdata/har/a-signed-in-happy.har")
	if code != exitUsage || !strings.Contains(errOut, `"nope"`) || !strings.Contains(errOut, "acme") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("unknown instance: %d %q", code, errOut)
	}

	os.WriteFile(cfg, []byte(`{"instances": {"bad": {"secretKey": "sk_live_x"}}}`), 0o600)
	code, _, errOut = runCLI(t, "", "config")
	if code == 0 || !strings.Contains(errOut, "secretKeyEnv") || strings.Contains(errOut, "sk_live_x") {
		t.Errorf("a profile holding a secret: %d %q", code, errOut)
	}
}

// TestCompletion: each shell's script names the commands and the flags of
// the commands' own flag sets.
func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, _ := runCLI(t, "", "completion", sh)
		if code != 0 {
			t.Fatalf("%s: exit %d", sh, code)
		}
		for _, want := range []string{"explain", "report", "webhook", "jwt-key", "instance", "no-redact", "webhook-secret"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q in the script", sh, want)
			}
		}
	}
	if code, _, errOut := runCLI(t, "", "completion", "tcsh"); code != exitUsage || !strings.Contains(errOut, "bash, zsh and fish") {
		t.Errorf("unknown shell: %d %q", code, errOut)
	}
}
