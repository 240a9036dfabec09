package main

import (
	"strings"
	"testing"
)

// TestExplainAuthLine (issue 9, point 11): explain's auth(): line says what
// auth() returns, permissions and the factor verification age included.
func TestExplainAuthLine(t *testing.T) {
	code, out, errOut := runCLI(t, "", "explain", "testdata/oracle-cases/org-count3.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "auth():") {
			line = l
		}
	}
	for _, want := range []string{"userId user_1", "sessionId sess_1", "org org_1 acme org:admin", `permissions ["org:invoices:read","org:invoices:manage"]`, "fva [3,-1]"} {
		if !strings.Contains(line, want) {
			t.Errorf("the auth() line lacks %q: %q", want, line)
		}
	}
}
