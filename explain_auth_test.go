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
	// The line and its continuation lines, which are indented under the
	// first value.
	var line string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "  auth():"):
			line, in = l, true
		case in && strings.HasPrefix(l, "             ") && strings.TrimSpace(l) != "":
			line += " " + strings.TrimSpace(l)
		default:
			in = false
		}
	}
	for _, want := range []string{"userId user_1", "sessionId sess_1", "org org_1 acme org:admin", `permissions ["org:invoices:read","org:invoices:manage"]`, "fva [3,-1] (first factor 3 min ago, no second factor)"} {
		if !strings.Contains(line, want) {
			t.Errorf("the auth() line lacks %q: %q", want, line)
		}
	}
}
