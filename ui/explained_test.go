package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
)

// TestVerdictSaysWhyTheServerDiffers: where the server's x-clerk-auth
// headers differ from the verdict and a diagnosis explains it (here a
// cache replayed a response made 45 s earlier), the Verdict tab says so
// beside "differs from clerkscope"; a diagnosis only possible, or the
// one that says the headers differ, explains nothing.
func TestVerdictSaysWhyTheServerDiffers(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/diagnosis/proxy-cache-replay.har"), 160, 60)
	if r := m.cap.selected(); r == nil || r.judged().Entry.Index != 3 {
		t.Fatal("the diagnosis's first entry (3) is not selected")
	}
	const explained = "differs from clerkscope, explained by the diagnosis: A cache served the auth middleware's responses"
	if s := page(m); !strings.Contains(s, explained) {
		t.Fatalf("the Verdict tab does not say why the server differs:\n%s", screen(m))
	}
	for _, ds := range [][]har.Diagnosis{
		nil,
		{{Finding: m.cap.diags[0].Finding, Entries: []int{3, 6}}},
		{{Entries: []int{3, 6}}},
	} {
		if len(ds) == 1 && ds[0].Code != "" {
			ds[0].Confidence = har.Possible
		} else if len(ds) == 1 {
			ds[0].Code, ds[0].Confidence, ds[0].Problem, ds[0].Title = har.CodeServerDisagrees, har.Likely, true, "The app's own headers differ"
		}
		m.cap.verdict.setDiagnoses(ds)
		m.cap.refreshDetail()
		s := page(m)
		if !strings.Contains(s, "differs from clerkscope") || strings.Contains(s, "explained by") {
			t.Errorf("with %+v the Verdict tab reads: %s", ds, s)
		}
	}
}

// page is the Verdict tab's page, its words joined by single spaces.
func page(m *app) string {
	return strings.Join(strings.Fields(ansi.Strip(m.cap.verdict.content())), " ")
}
