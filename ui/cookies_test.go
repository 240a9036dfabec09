package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestCookiesReadByEngine: the Cookies tab marks the cookies the engine
// read (CookieSet.Read), the other set's as passed over, and a Clerk
// cookie the SDK never reads (__client lives on the Frontend API) as not
// read.
func TestCookiesReadByEngine(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 120, 40)
	const sfx = "naoXFJnI"
	_, cmd := m.Update(tea.PasteMsg{Content: "Cookie: __session=" + sessionFromCase(t, "prod-valid-session-document") +
		"; __client_uat=1767222000; __client_uat_" + sfx + "=0; __client=abc; __refresh_" + sfx + "=r"})
	drive(t, m, cmd)
	press(t, m, "enter", "]")
	if m.state != stateCapture {
		t.Fatalf("state %s: %s", m.state, m.paste.err)
	}
	cs := m.cap.rows[0].judged().Result.Verdict.CookieSet
	if cs == nil || len(cs.Read) == 0 {
		t.Fatalf("the engine recorded no cookies read: %+v", cs)
	}
	page := ansi.Strip(shownContent(m))
	for _, want := range []string{
		"__session (read)",
		"__client_uat (read)",
		"__client_uat_" + sfx + " (not read: un-suffixed set in use)",
		"__refresh_" + sfx + " (read)",
		"__client (not read by the SDK)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("Cookies tab lacks %q:\n%s", want, page)
		}
	}
}
