package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/clerkscope/clerkscope/inspect"
)

// pastedCookie is a signed-in Cookie header of the oracle's production
// instance (its token lives from 2026-01-01T00:00:00Z for a minute).
func pastedCookie(t testing.TB) string {
	return "Cookie: __session=" + sessionFromCase(t, "prod-valid-session-document") + "; __client_uat=1767222000"
}

// flagsPrepare stands in for main's applyTextFlags: --url and one -H.
func flagsPrepare(url, name, value string) func(*inspect.Parsed) error {
	return func(p *inspect.Parsed) error {
		p.Request.URL = url
		p.Request.Set(name, value)
		return nil
	}
}

// typeText types s key by key, as a terminal sends what is typed, faster
// than any command answers: only the last key's commands are run (the
// detection of what the whole text is, and cursor blinks, which drive drops).
func typeText(t testing.TB, m *app, s string) {
	t.Helper()
	var cmd tea.Cmd
	for _, r := range s {
		_, cmd = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	drive(t, m, cmd)
}

// TestDashboardTextFlags (issue 9, point 6): --url and -H reach a text
// file judged by the dashboard as they reach explain, and the paste
// screen's fields start with them.
func TestDashboardTextFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookie.txt")
	if err := os.WriteFile(path, []byte(pastedCookie(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, path)
	cfg.Prepare = flagsPrepare("https://example.com/api/data", "sec-fetch-dest", "empty")
	cfg.URL, cfg.Dest = "https://example.com/api/data", "empty"
	m := newApp(t, cfg, 120, 40)
	if m.state != stateCapture || len(m.cap.rows) != 1 {
		t.Fatalf("state %s", m.state)
	}
	req := m.cap.rows[0].judged().Request
	if req.URL != "https://example.com/api/data" || req.Value("sec-fetch-dest") != "empty" {
		t.Errorf("the flags were not applied: %s, Sec-Fetch-Dest %q", req.URL, req.Value("sec-fetch-dest"))
	}
	press(t, m, "p")
	if m.paste.url.Value() != cfg.URL || m.paste.mode != modeFetch {
		t.Errorf("paste screen starts with URL %q, mode %s", m.paste.url.Value(), m.paste.mode)
	}
}

// TestPasteSettings (point 6): the URL, page-or-fetch and clock set on
// the paste screen judge the pasted request.
func TestPasteSettings(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 120, 40)
	m.Update(tea.PasteMsg{Content: pastedCookie(t)})
	press(t, m, "tab") // held: no key follows, so it moves to the URL
	if m.paste.focus != fieldURL {
		t.Fatalf("tab: focus %s", m.paste.focus)
	}
	typeText(t, m, "https://example.com/api/data")
	press(t, m, "tab", " ", " ", "tab") // as: a page load, then a fetch
	typeText(t, m, "2026-01-01T00:00:20Z")
	if m.paste.mode != modeFetch || m.paste.focus != fieldClock {
		t.Fatalf("mode %s, focus %s", m.paste.mode, m.paste.focus)
	}
	press(t, m, "enter")
	if m.state != stateCapture {
		t.Fatalf("state %s: %s", m.state, m.paste.err)
	}
	j := m.cap.rows[0].judged()
	if j.Request.URL != "https://example.com/api/data" || j.Request.Value("sec-fetch-dest") != "empty" {
		t.Errorf("judged %s with Sec-Fetch-Dest %q", j.Request.URL, j.Request.Value("sec-fetch-dest"))
	}
	if want := time.Date(2026, 1, 1, 0, 0, 20, 0, time.UTC); !j.Result.At.Equal(want) || j.Result.Clock != nil {
		t.Errorf("judged at %s (clock note %+v), want the clock set: %s", j.Result.At, j.Result.Clock, want)
	}
	if !strings.Contains(m.status, "as chosen on the paste screen") {
		t.Errorf("status %q", m.status)
	}
	// An unreadable clock is said, not judged.
	press(t, m, "p", "tab", "tab", "tab")
	typeText(t, m, "yesterday")
	press(t, m, "enter")
	if m.state != statePaste || !strings.Contains(m.paste.err, `clock "2026-01-01T00:00:20Zyesterday"`) {
		t.Errorf("state %s, err %q", m.state, m.paste.err)
	}
}

// TestPasteNotesNameFields: what a paste lacked is said with the paste
// screen's fields that set it, not explain's flags; a text file opened
// from the command line names the flags.
func TestPasteNotesNameFields(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 120, 40)
	m.Update(tea.PasteMsg{Content: pastedCookie(t)})
	press(t, m, "enter")
	if m.state != stateCapture {
		t.Fatalf("state %s: %s", m.state, m.paste.err)
	}
	for _, want := range []string{"no URL was given (the paste screen's URL field)", `choose "a fetch" in the paste screen's as field`} {
		if !strings.Contains(m.status, want) {
			t.Errorf("status lacks %q: %q", want, m.status)
		}
	}
	if strings.Contains(m.status, "--url") || strings.Contains(m.status, "-H ") {
		t.Errorf("a paste's notes name flags: %q", m.status)
	}
	path := filepath.Join(t.TempDir(), "cookie.txt")
	if err := os.WriteFile(path, []byte(pastedCookie(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newApp(t, testConfig(t, path), 120, 40)
	if !strings.Contains(f.status, "no URL was given (--url)") || !strings.Contains(f.status, "add -H 'Sec-Fetch-Dest: empty'") {
		t.Errorf("a file's notes: %q", f.status)
	}
}

// TestEscAndQuit (point 7): esc backs out one level and never opens the
// paste screen; q quits except while typing; ctrl+c always quits.
func TestEscAndQuit(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 100, 30)
	press(t, m, "enter") // the detail pane
	press(t, m, "esc", "esc", "esc")
	if m.state != stateCapture || m.cap.focus != paneList {
		t.Fatalf("esc esc esc: state %s, focus %s", m.state, m.cap.focus)
	}
	if _, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"}); !quits(cmd) {
		t.Error("q on the capture does not quit")
	}
	// The paste screen: esc with text clears it, then goes back.
	press(t, m, "p")
	typeText(t, m, "q")
	if m.paste.value() != "q" || m.state != statePaste {
		t.Fatalf("q typed in the paste box: %q, state %s", m.paste.value(), m.state)
	}
	press(t, m, "esc")
	if m.paste.value() != "" || m.state != statePaste {
		t.Errorf("esc with text: value %q, state %s", m.paste.value(), m.state)
	}
	press(t, m, "esc")
	if m.state != stateCapture {
		t.Errorf("esc on an empty paste box goes back to the capture, state %s", m.state)
	}
	// A filter being typed takes q and c as text.
	press(t, m, "/", "q", "c")
	if m.cap.query != "qc" || !m.cap.filtering {
		t.Errorf("filter %q", m.cap.query)
	}
	for _, where := range []string{"filter", "paste box"} {
		if where == "paste box" {
			press(t, m, "esc", "p")
		}
		if _, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}); !quits(cmd) {
			t.Errorf("ctrl+c in the %s does not quit", where)
		}
	}
	// On the paste screen's page-or-fetch choice nothing is typed: q quits.
	press(t, m, "tab", "tab")
	if m.paste.focus != fieldMode {
		t.Fatalf("focus %s", m.paste.focus)
	}
	if _, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"}); !quits(cmd) {
		t.Error("q on the page-or-fetch choice does not quit")
	}
}

// quits reports whether cmd ends the program (directly or in a batch).
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if quits(c) {
				return true
			}
		}
	}
	return false
}

// TestStatusWraps (point 8): a long message is wrapped whole (the copy
// file's path unbroken), a longer one says where the rest is, and m shows
// every message of the run.
func TestStatusWraps(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 80, 24)
	path := filepath.Join(m.c.cfg.CopyDir, copyFile)
	m.Update(textCopiedMsg{what: "sub (the user id)", how: "to the terminal's clipboard (OSC 52); no system clipboard here, so until clerkscope exits also saved to " + path})
	out := screen(m)
	if !strings.Contains(out, path) {
		t.Errorf("the copy file's path is not shown whole (%s):\n%s", path, out)
	}
	if lines := strings.Split(out, "\n"); len(lines) != 24 {
		t.Errorf("%d lines", len(lines))
	}
	long := strings.Repeat("a long note that goes on ", 20)
	m.Update(reportWrittenMsg{err: errors.New(long)})
	out = screen(m)
	if !strings.Contains(out, "(m: the whole message)") {
		t.Errorf("a cut message does not say where the rest is:\n%s", out)
	}
	press(t, m, "m")
	if m.overlay != overlayMessages {
		t.Fatal("m does not open the messages")
	}
	if text := strings.Join(strings.Fields(ansi.Strip(m.messagesText(200))), " "); !strings.Contains(text, path) || !strings.Contains(text, strings.TrimSpace(long)) {
		t.Errorf("the message log lacks a message:\n%s", text)
	}
}

// TestNarrowLayout (point 9): at 80 columns the tabs keep their
// separators, times are never split, the focused pane has the thick
// border and the chosen tab its ▸ (both without colour).
func TestNarrowLayout(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 80, 24)
	press(t, m, "j", "j")
	out := screen(m)
	if !strings.Contains(out, "▸Verdict│Cookies│Token│Timeline│BAPI│Raw") {
		t.Errorf("the tab line at 80 columns:\n%s", out)
	}
	if !strings.Contains(out, "2026-11-24T07:06:36Z") {
		t.Errorf("the verdict's time is split:\n%s", out)
	}
	if !strings.Contains(out, "┏") || strings.Count(out, "┏") != 1 {
		t.Errorf("the focused pane is not marked by its border:\n%s", out)
	}
	press(t, m, "]", "]")
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, "issued") && !strings.Contains(l, "min 11 s") && strings.Contains(l, "min") {
			t.Errorf("a duration is split: %q", l)
		}
	}
}

// TestHelpTruthful (point 10): the hints list only what works now; ? lists
// what does not and why, the mouse and the badges; the copy menu lists
// what the row has.
func TestHelpTruthful(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 120, 40)
	press(t, m, "/")
	hints := lastLine(screen(m))
	for _, bad := range []string{"q quit", "c Clerk", "/ filter", "? help", "y copy"} {
		if strings.Contains(hints, bad) {
			t.Errorf("while typing a filter the hints offer %q: %s", bad, hints)
		}
	}
	for _, want := range []string{"enter keep filter", "esc clear filter", "ctrl+c quit"} {
		if !strings.Contains(hints, want) {
			t.Errorf("while typing a filter the hints lack %q: %s", want, hints)
		}
	}
	press(t, m, "esc", "?")
	text := ansi.Strip(m.helpText(100))
	for _, want := range []string{"Not available now", "l           look up (BAPI): needs the instance's secret key: set", "CLERK_SECRET_KEY",
		"Mouse", "click", "wheel", "Badges", "IN ", "OUT ", "HS ", "PND ", "FAPI ", "ERR ", "WH "} {
		if !strings.Contains(text, want) {
			t.Errorf("? lacks %q:\n%s", want, text)
		}
	}
	press(t, m, "x") // closes the help
	// The sign-in page (no token): the menu has no token, claims or ids.
	press(t, m, "g", "y")
	menu := ansi.Strip(m.menu.View())
	for _, bad := range []string{"session token", "claims", "sub ", "sid ", "org_id", "delivery"} {
		if strings.Contains(menu, bad) {
			t.Errorf("the copy menu of a request without a token offers %q:\n%s", bad, menu)
		}
	}
	press(t, m, "esc", "j", "y")
	menu = ansi.Strip(m.menu.View())
	for _, want := range []string{"t  the session token", "s  sub (the user id)", "i  sid (the session id)", "u  the request as cURL"} {
		if !strings.Contains(menu, want) {
			t.Errorf("the copy menu lacks %q:\n%s", want, menu)
		}
	}
	if strings.Contains(menu, "org_id") {
		t.Errorf("the copy menu offers org_id for a token without an organization:\n%s", menu)
	}
	press(t, m, "esc")
}

func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

// TestVerdictAuth (point 11): the Verdict tab shows what auth() returns;
// fva, sts and __client_uat read in words; labels never touch values.
func TestVerdictAuth(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 120, 40)
	m.Update(tea.PasteMsg{Content: pastedCookie(t)})
	press(t, m, "enter")
	v := m.cap.page(tabVerdict, m.cap.rows[0], 100)
	text := ansi.Strip(v)
	for _, want := range []string{"auth() returns", "userId:      user_2oracleUser0000000000001", "sessionId:   sess_2oracleSession000000000001",
		"sessionStatus: active", "orgId:       null", "actor:       null", "fva:         first factor 3 min ago, no second factor"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Verdict tab lacks %q:\n%s", want, text)
		}
	}
	cookies := ansi.Strip(m.cap.page(tabCookies, m.cap.rows[0], 100))
	if !strings.Contains(cookies, "2025-12-31T23:00:00Z, 1\u00a0h\u00a00\u00a0min before this request") {
		t.Errorf("__client_uat is not read as a date:\n%s", cookies)
	}
	tok := ansi.Strip(m.cap.page(tabToken, m.cap.rows[0], 100))
	for _, want := range []string{"Claims in words", "sts:       active", "fva:       first factor 3 min ago, no second factor", "y, then s or i, copies sub or sid alone."} {
		if !strings.Contains(tok, want) {
			t.Errorf("the Token tab lacks %q:\n%s", want, tok)
		}
	}
	// A label longer than the column still has a space after it.
	var b strings.Builder
	m.c.field(&b, "last sign-in by", "2025-12-31", 60)
	if !strings.Contains(ansi.Strip(b.String()), "last sign-in by: 2025-12-31") {
		t.Errorf("label runs into its value: %q", b.String())
	}
}

func TestDescribeClaims(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"fva first only", inspect.DescribeFVA([]any{7.0, -1.0}), "first factor 7 min ago, no second factor"},
		{"fva both", inspect.DescribeFVA([]any{90.0, 2.0}), "first factor 1 h 30 min ago, second factor 2 min ago"},
		{"fva now", inspect.DescribeFVA([]any{0.0, 0.0}), "first factor less than a minute ago, second factor less than a minute ago"},
		{"fva days", inspect.DescribeFVA([]any{4320.0, -1.0}), "first factor 3 days ago, no second factor"},
		{"fva absent", inspect.DescribeFVA(nil), "none (the token has no fva claim)"},
		{"uat zero", describeUAT("0", fixedNow), "0: no signed-in client"},
		{"uat date", describeUAT("1767225540", fixedNow), "2025-12-31T23:59:00Z, 1\u00a0min\u00a00\u00a0s before this request"},
		{"sts pending", describeSTS("pending")[:8], "pending:"},
		{"permissions", jsText([]any{"org:a:read", "org:a:write"}), "org:a:read, org:a:write"},
		{"object", jsText(map[string]any{"sub": "user_1"}), `{"sub":"user_1"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

// TestFoldTokens (point 12): long JWTs are folded to header.claims… in
// the Cookies, Raw and Verdict tabs, e shows them whole, the redaction
// marker is never split, and y then s copies the sub claim alone.
func TestFoldTokens(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 80, 24)
	press(t, m, "j", "j") // the handshake redirect
	r := m.cap.selected()
	raw := r.judged().Result.Verdict.Token.Raw
	head, _, _ := strings.Cut(raw, ".")
	for _, tb := range []tab{tabVerdict, tabCookies, tabRaw} {
		m.cap.choose(tb)
		m.cap.refreshDetail()
		content := ansi.Strip(shownContent(m))
		if strings.Contains(content, head) || !strings.Contains(content, head[:foldedPart]+"….") {
			t.Errorf("%s: the token is not folded", tb)
		}
		if !strings.Contains(strings.Join(strings.Fields(content), " "), "e shows them whole") {
			t.Errorf("%s: no word on how to expand", tb)
		}
		checkMarkers(t, tb.String(), content)
	}
	press(t, m, "e")
	m.cap.choose(tabRaw)
	m.cap.refreshDetail()
	content := ansi.Strip(shownContent(m))
	if !strings.Contains(strings.ReplaceAll(content, "\n", ""), head) {
		t.Error("e does not show the token whole")
	}
	checkMarkers(t, "expanded Raw", content)
	press(t, m, "e")
	for _, tc := range []struct {
		key, want string
	}{{"s", r.judged().Result.Verdict.Token.ClaimString("sub")}, {"i", r.judged().Result.Verdict.Token.ClaimString("sid")}} {
		press(t, m, "y")
		var choice = m.c.keys.CopySub
		if tc.key == "i" {
			choice = m.c.keys.CopySID
		}
		if !choice.Enabled() {
			t.Fatalf("the copy menu has no %s", tc.key)
		}
		_, text, err := copied(m, tc.key)
		if err != nil || text != tc.want {
			t.Errorf("y %s copies %q (%v), want %q", tc.key, text, err, tc.want)
		}
		press(t, m, "esc")
	}
}

// checkMarkers fails when a line holds half of a redaction marker.
func checkMarkers(t *testing.T, where, content string) {
	t.Helper()
	for _, l := range strings.Split(content, "\n") {
		if strings.Count(l, "‹") != strings.Count(l, "›") {
			t.Errorf("%s: a redaction marker is split: %q", where, l)
		}
	}
}

// TestUnbracketedPaste (point 13): a terminal without bracketed paste
// sends a pasted newline as enter, with the rest right behind it: the
// enter waits, and a key behind it makes it a newline.
func TestUnbracketedPaste(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 100, 30)
	m.c.pasteWait = pasteWait
	keys := func(s string) {
		for _, r := range s {
			var msg tea.KeyPressMsg
			switch r {
			case '\r':
				msg = tea.KeyPressMsg{Code: tea.KeyEnter}
			case '\t':
				msg = tea.KeyPressMsg{Code: tea.KeyTab}
			default:
				msg = tea.KeyPressMsg{Code: r, Text: string(r)}
			}
			m.Update(msg) // the wait's command never runs: keys come first
		}
	}
	keys(pastedCookie(t) + "\rSec-Fetch-Dest: document\r")
	if m.state != statePaste {
		t.Fatalf("state %s: the first newline submitted", m.state)
	}
	if got := m.paste.value(); got != pastedCookie(t)+"\nSec-Fetch-Dest: document" {
		t.Errorf("text %q", got)
	}
	// The wait of the first enter ended long ago: it was a newline.
	m.Update(pasteDueMsg{seq: m.paste.seq - 1})
	if m.state != statePaste {
		t.Fatal("a stale wait submitted")
	}
	// The last enter had nothing behind it: it submits.
	_, cmd := m.Update(pasteDueMsg{seq: m.paste.seq})
	drive(t, m, cmd)
	if m.state != stateCapture || m.cap.rows[0].judged().Request.Value("sec-fetch-dest") != "document" {
		t.Fatalf("state %s", m.state)
	}
	// A pasted tab (cookie-table rows) is text, not a move to the fields,
	// and stays a tab, typed or pasted.
	press(t, m, "p", "esc")
	keys("__client_uat\t0\r__session\tabc")
	if m.paste.focus != fieldText || m.paste.value() != "__client_uat\t0\n__session\tabc" || m.paste.kind != inspect.KindNameValue {
		t.Errorf("focus %s, text %q, kind %s", m.paste.focus, m.paste.value(), m.paste.kind)
	}
	press(t, m, "esc")
	m.Update(tea.PasteMsg{Content: "__client_uat\t0\n__session\tabc"})
	if m.paste.value() != "__client_uat\t0\n__session\tabc" {
		t.Errorf("a bracketed paste lost its tabs: %q", m.paste.value())
	}
}

// TestTypedPathMissing (point 13): a typed path that does not exist says
// so, without judging it as a request.
func TestTypedPathMissing(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 100, 30)
	typeText(t, m, "~/Downloads/ticket-1234.har")
	if m.paste.kind != "a path: no such file" {
		t.Errorf("detected %q", m.paste.kind)
	}
	press(t, m, "enter")
	if m.state != statePaste || m.paste.err != "no such file: ~/Downloads/ticket-1234.har" {
		t.Errorf("state %s, err %q", m.state, m.paste.err)
	}
	if !strings.Contains(screen(m), "no such file: ~/Downloads/ticket-1234.har") {
		t.Error("not on screen")
	}
}

// TestIssue9Goldens snapshots the screens points 6–13 changed, at 80×24
// and 120×40 (ANSI stripped, as NO_COLOR shows them).
func TestIssue9Goldens(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string
		run  func(t *testing.T, m *app)
	}{
		{"paste-settings", "", func(t *testing.T, m *app) {
			m.Update(tea.PasteMsg{Content: "Cookie: __client_uat=0"})
			press(t, m, "tab")
			typeText(t, m, "https://example.com/dashboard")
			press(t, m, "tab", " ")
		}},
		{"paste-no-such-file", "", func(t *testing.T, m *app) {
			typeText(t, m, "./missing.har")
			press(t, m, "enter")
		}},
		{"verdict-auth", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) { press(t, m, "j", "enter") }},
		{"filter-hints", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) { press(t, m, "/", "d") }},
		{"help", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) { press(t, m, "?") }},
		{"copy-menu", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) { press(t, m, "j", "y") }},
		{"status-wrapped", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) {
			m.Update(textCopiedMsg{what: "sub (the user id)", how: "to the terminal's clipboard (OSC 52); no system clipboard here, so until clerkscope exits also saved to /home/support/.cache/clerkscope/clerkscope-copy.txt"})
		}},
		{"raw-folded", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) { press(t, m, "j", "j", "[") }},
		{"raw-expanded", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) { press(t, m, "j", "j", "[", "e") }},
		{"token-claims", "../testdata/har/b-expired-handshake.har", func(t *testing.T, m *app) {
			press(t, m, append([]string{"j", "]", "]", "tab"}, strings.Split(strings.Repeat("j", 12), "")...)...)
		}},
	} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s/%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				m := newApp(t, testConfig(t, tc.path), size[0], size[1])
				tc.run(t, m)
				golden.RequireEqual(t, screen(m))
			})
		}
	}
}

// TestSmokeNoColor (point 9): under NO_COLOR (no colours at all) the
// focused pane still shows, by its thick border, and moves with tab.
func TestSmokeNoColor(t *testing.T) {
	tm := teatest.NewTestModel(t, New(context.Background(), testConfig(t, "../testdata/har/b-expired-handshake.har")),
		teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithEnvironment([]string{"TERM=xterm-256color", "NO_COLOR=1"}), tea.WithColorProfile(colorprofile.Ascii)))
	waitFor(t, tm, "Read 16 requests")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*app)
	out := screen(fm)
	lines := strings.Split(out, "\n")
	var paneTop string
	for _, l := range lines {
		if strings.Contains(l, "━") || strings.Contains(l, "─") {
			paneTop = l
			break
		}
	}
	if !strings.HasPrefix(paneTop, "┌") || !strings.Contains(paneTop, "┏") {
		t.Errorf("after tab the detail pane is not the thick one: %q", paneTop)
	}
}
