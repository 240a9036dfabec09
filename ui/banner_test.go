package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/clerkscope/clerkscope/har"
)

const clockLoop = "../testdata/diagnosis/clock-ahead-loop.har"

func TestFitBanner(t *testing.T) {
	const suffix = "· +2 more (t: timeline)"
	long := strings.Repeat("the handshake came back without a session again and ", 4)
	for _, tc := range []struct {
		name, title string
		avail       int
		lines       int
		ellipsis    bool
	}{
		{"fits one line", "Signed in throughout", 64, 1, false},
		{"wraps to two", "The app server's clock (example.com) is 10 min 0 s ahead of Clerk's", 64, 2, false},
		{"too long for two", long, 64, 2, true},
		{"one huge word", strings.Repeat("x", 200), 64, 2, true},
		{"narrow", "Handshake redirect loop on https://example.com/dashboard: 3 rounds, then the SDK gave up (signed-out)", 40, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitBanner(tc.title, suffix, tc.avail)
			if len(got) != tc.lines {
				t.Fatalf("%d lines, want %d: %q", len(got), tc.lines, got)
			}
			last := got[len(got)-1] + " " + suffix
			for i, l := range append(got[:len(got)-1:len(got)-1], last) {
				if w := ansi.StringWidth(l); w > tc.avail {
					t.Errorf("line %d is %d wide, more than %d: %q", i, w, tc.avail, l)
				}
			}
			if e := strings.Contains(strings.Join(got, " "), "…"); e != tc.ellipsis {
				t.Errorf("ellipsis %v, want %v: %q", e, tc.ellipsis, got)
			}
			// Lines break between words: every word shown is a word of the
			// title, or the cut end of one marked with the ellipsis.
			words := map[string]bool{}
			for _, w := range strings.Fields(tc.title) {
				words[w] = true
			}
			for _, w := range strings.Fields(strings.Join(got, " ")) {
				if !words[w] && !(strings.HasSuffix(w, "…") && (words[strings.TrimSuffix(w, "…")] || strings.Contains(tc.title, strings.TrimSuffix(w, "…")))) {
					t.Errorf("word %q is cut without an ellipsis", w)
				}
			}
		})
	}
}

// bannerOf is the screen's banner: the lines between the header and the
// panes' top border.
func bannerOf(m *app) []string {
	lines := strings.Split(screen(m), "\n")
	var out []string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "┌") || strings.HasPrefix(l, "┏") {
			break
		}
		out = append(out, l)
	}
	return out
}

// TestDiagnosisBanner opens every bundled capture at 80 columns: the
// banner leads with the first problem (or the first diagnosis), says in
// words whether it is a fault, and fits.
func TestDiagnosisBanner(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/har/*.har")
	paths = append(paths, clockLoop)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			m := newApp(t, testConfig(t, p), 80, 24)
			ds := m.cap.story.Diagnosis
			if len(ds) == 0 {
				t.Fatal("no diagnosis")
			}
			lead := ds[leadDiagnosis(ds)]
			banner := bannerOf(m)
			if len(banner) < 1 || len(banner) > 2 || len(banner) != m.cap.bannerH {
				t.Fatalf("banner of %d lines (bannerH %d): %q", len(banner), m.cap.bannerH, banner)
			}
			want := diagnosisBadge(lead) + " (" + lead.Confidence + ") " + strings.Fields(lead.Title)[0]
			if !strings.HasPrefix(banner[0], want) {
				t.Errorf("banner %q does not start with %q", banner[0], want)
			}
			if n := len(ds) - 1; n > 0 && !strings.Contains(strings.Join(banner, " "), "more (t: timeline)") {
				t.Errorf("banner does not say there are %d more: %q", n, banner)
			}
			for _, l := range strings.Split(screen(m), "\n") {
				if ansi.StringWidth(l) > 80 {
					t.Errorf("line wider than 80: %q", l)
				}
			}
		})
	}
	t.Run("clock ahead", func(t *testing.T) {
		m := newApp(t, testConfig(t, clockLoop), 80, 24)
		got := strings.Join(bannerOf(m), "\n")
		want := "CAUSE (certain) The app server's clock (example.com) is 10 min 0 s ahead of\n                Clerk's · +1 more (t: timeline)"
		if got != want {
			t.Errorf("banner\n%s\nwant\n%s", got, want)
		}
	})
}

// TestLeadSelection: when the capture is read, the first request of the
// first problem is selected, unless the user already chose one.
func TestLeadSelection(t *testing.T) {
	m := newApp(t, testConfig(t, clockLoop), 100, 30)
	ds := m.cap.story.Diagnosis
	p := firstProblem(ds)
	if p < 0 {
		t.Fatal("no problem diagnosed in the clock-skew loop")
	}
	if got, want := m.cap.selected().judged().Entry.Index, ds[p].Entries[0]; got != want {
		t.Errorf("selected entry %d, want %d (%s)", got, want, ds[p].Code)
	}

	// Nothing is wrong in the expired-handshake capture: the list stays at
	// its top.
	m = newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 100, 30)
	if firstProblem(m.cap.story.Diagnosis) >= 0 || m.cap.cursor != 0 {
		t.Errorf("cursor %d", m.cap.cursor)
	}

	// The user moves while the capture loads: the end of loading leaves
	// the selection alone.
	m = New(context.Background(), testConfig(t, "")).(*app)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	started := m.startLoad("clock-ahead-loop.har", fileOpener(clockLoop), settings{})().(loadStartedMsg)
	_, cmd := m.Update(started)
	// Deliver every batch but the last (a slow run may cut the capture
	// into several); the user moves before the last one lands.
	last := nextBatch(t, cmd)
	for !last.done {
		_, cmd = m.Update(last)
		last = nextBatch(t, cmd)
	}
	first := last
	first.done, first.story = false, nil
	m.Update(first)
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	chosen := m.cap.selected()
	last.rows = nil
	m.Update(last)
	if m.cap.loading || m.cap.selected() != chosen {
		t.Errorf("loading %v; selection moved from entry %d to %d", m.cap.loading, chosen.judged().Entry.Index, m.cap.selected().judged().Entry.Index)
	}
}

// nextBatch runs cmd as the program would until it yields the load's next
// batch. A batch that is not the last comes back with the read of the
// selected row's entry beside the wait for the next one (tea.Batch), so a
// capture the loader cuts into several batches (a slow run) is followed
// through the commands of a tea.BatchMsg.
func nextBatch(t *testing.T, cmd tea.Cmd) batchLoadedMsg {
	t.Helper()
	if b, ok := findBatch(cmd); ok {
		return b
	}
	t.Fatal("the load's command yields no batch")
	return batchLoadedMsg{}
}

func findBatch(cmd tea.Cmd) (batchLoadedMsg, bool) {
	if cmd == nil {
		return batchLoadedMsg{}, false
	}
	switch msg := cmd().(type) {
	case batchLoadedMsg:
		return msg, true
	case tea.BatchMsg:
		for _, c := range msg {
			if b, ok := findBatch(c); ok {
				return b, true
			}
		}
	}
	return batchLoadedMsg{}, false
}

// TestTimelineDiagnosis: t opens the Timeline on the diagnosis, with its
// why, evidence and fix, and enter goes to its first request from either
// pane; findings jump the same way.
func TestTimelineDiagnosis(t *testing.T) {
	m := newApp(t, testConfig(t, clockLoop), 120, 40)
	ds := m.cap.story.Diagnosis
	lead := ds[leadDiagnosis(ds)]
	press(t, m, "G", "t")
	if m.cap.tab != tabTimeline || m.cap.focus != paneDetail {
		t.Fatalf("t: tab %s, focus %s", m.cap.tab, m.cap.focus)
	}
	if it := m.cap.timeline.chosen(); it == nil || it.kind != tlDiagnosis || it.diag.Code != lead.Code {
		t.Fatalf("t chose %+v", it)
	}
	out := screen(m)
	for _, want := range []string{"Diagnosis", "CAUSE (certain)", "[" + lead.Code + "]", "Why:", "Seen:", "Fix:", "Entries: 4, 6, 8"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Timeline lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "enter go to request") || !m.c.keys.Open.Enabled() {
		t.Error("help does not say that enter goes to the request")
	}
	press(t, m, "enter")
	if got := m.cap.selected().judged().Entry.Index; got != lead.Entries[0] || m.cap.tab != tabVerdict || m.cap.focus != paneList {
		t.Errorf("enter from the Timeline pane: entry %d tab %s focus %s", got, m.cap.tab, m.cap.focus)
	}

	// From the list pane, with the Timeline shown.
	press(t, m, "G", "]", "]", "]")
	if m.cap.tab != tabTimeline || m.cap.focus != paneList {
		t.Fatalf("tab %s focus %s", m.cap.tab, m.cap.focus)
	}
	press(t, m, "enter")
	if got := m.cap.selected().judged().Entry.Index; got != lead.Entries[0] {
		t.Errorf("enter from the list pane: entry %d, want %d", got, lead.Entries[0])
	}

	// j walks down to the findings, with their detail and next step.
	press(t, m, "t")
	for i := 0; i < 300 && m.cap.timeline.chosen().kind != tlFinding; i++ {
		press(t, m, "j")
	}
	it := m.cap.timeline.chosen()
	if it.kind != tlFinding {
		t.Fatal("j never reached a finding")
	}
	out = screen(m)
	for _, want := range []string{it.finding.Title, strings.Fields(it.finding.Detail)[0], "Next:"} {
		if !strings.Contains(out, want) {
			t.Errorf("the chosen finding is shown without %q:\n%s", want, out)
		}
	}
	press(t, m, "enter")
	if got := m.cap.selected().judged().Entry.Index; got != it.entries[0] {
		t.Errorf("enter on the finding: entry %d, want %d", got, it.entries[0])
	}

	// An item with no entries has nothing to go to: enter is off.
	press(t, m, "t")
	for i := 0; i < len(m.cap.timeline.items); i++ {
		m.cap.timeline.cursor = i
		m.Update(nil)
		if len(m.cap.timeline.items[i].entries) == 0 && m.c.keys.Open.Enabled() {
			t.Errorf("enter enabled on %s %d, which has no entries", m.cap.timeline.items[i].kind, i)
		}
	}
}

// TestPastedDiagnosis: a pasted request leads with its own diagnosis; its
// Timeline has no entries to go to.
func TestPastedDiagnosis(t *testing.T) {
	data, err := os.ReadFile("../testdata/diagnosis/stale-paste.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := newApp(t, testConfig(t, ""), 80, 24)
	_, cmd := m.Update(tea.PasteMsg{Content: string(data)})
	drive(t, m, cmd)
	press(t, m, "enter")
	if m.state != stateCapture || len(m.cap.rows) != 1 {
		t.Fatalf("state %s", m.state)
	}
	want := har.DiagnoseRequest(m.cap.rows[0].judged(), m.c.cfg.Setup)
	if len(want) == 0 || len(m.cap.diags) != len(want) {
		t.Fatalf("%d diagnoses, want %d", len(m.cap.diags), len(want))
	}
	lead := want[leadDiagnosis(want)]
	if b := strings.Join(bannerOf(m), " "); !strings.HasPrefix(b, diagnosisBadge(lead)+" ("+lead.Confidence+")") {
		t.Errorf("banner %q", b)
	}
	press(t, m, "t")
	out := screen(m)
	if !strings.Contains(out, "Why:") || strings.Contains(out, "Entries:") {
		t.Errorf("pasted Timeline:\n%s", out)
	}
	if m.c.keys.Open.Enabled() {
		t.Error("enter has nowhere to go for a pasted request")
	}
}

// TestDiagnosisGoldens snapshots the clock-skew loop at 80×24, as it opens
// and with the Timeline (ANSI stripped, so what NO_COLOR shows).
func TestDiagnosisGoldens(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"open", nil},
		{"timeline", []string{"t"}},
		{"timeline-findings", append([]string{"t"}, strings.Split(strings.Repeat("j", 40), "")...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newApp(t, testConfig(t, clockLoop), 80, 24)
			press(t, m, tc.keys...)
			golden.RequireEqual(t, screen(m))
		})
	}
}
