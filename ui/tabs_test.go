package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// TestTabHelp: each detail tab names the keys that act on it, only the
// enabled ones; the Timeline adds enter only when its chosen item names a
// request, the BAPI tab l only with a Backend API key.
func TestTabHelp(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 120, 40)
	names := func(bs []key.Binding) string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
		return strings.Join(out, ", ")
	}
	for tb := tab(0); tb < tabCount; tb++ {
		help := names(m.cap.tabOf(tb).ShortHelp())
		if !strings.Contains(help, "↑/k up") || !strings.Contains(help, "pgdn page down") {
			t.Errorf("%s: help %q lacks the scroll keys", tb, help)
		}
		if tb == tabBAPI && strings.Contains(help, "look up") {
			t.Errorf("BAPI tab without a key offers l: %q", help)
		}
	}
	press(t, m, "t")
	it := m.cap.timeline.chosen()
	if it == nil || len(it.entries) == 0 {
		t.Fatalf("the lead diagnosis names no request: %+v", it)
	}
	if help := names(m.cap.timeline.ShortHelp()); !strings.Contains(help, "enter go to request") {
		t.Errorf("Timeline help %q lacks enter", help)
	}
	for i := range m.cap.timeline.items {
		m.cap.timeline.cursor = i
		m.syncKeys()
		help := names(m.cap.timeline.ShortHelp())
		if has := strings.Contains(help, "enter"); has != (len(m.cap.timeline.items[i].entries) > 0) {
			t.Errorf("item %d (%d entries): help %q", i, len(m.cap.timeline.items[i].entries), help)
		}
	}
}
