package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/clerkscope/clerkscope/bapi"
	"github.com/clerkscope/clerkscope/inspect"
)

var fixedNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func testConfig(t testing.TB, path string) Config {
	pem, err := os.ReadFile("../testdata/keys/instance-public.pem")
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		Setup:     &inspect.Setup{Options: inspect.Options{JWTKey: string(pem)}},
		Path:      path,
		Now:       func() time.Time { return fixedNow },
		ReportDir: t.TempDir(),
		CopyDir:   t.TempDir(),
	}
}

// drive runs a command and feeds its messages back into the model,
// synchronously, the way the program would (batches fan out).
func drive(t testing.TB, m *app, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 10000; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		// Timers (cursor blink, spinner ticks) never fire in time: commands
		// that do not answer within 300 ms are dropped.
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(wait(m)):
			continue
		}
		if strings.Contains(fmt.Sprintf("%T", msg), "blink") || strings.Contains(fmt.Sprintf("%T", msg), "Blink") {
			continue
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return
		default:
			if rv := reflect.ValueOf(msg); rv.Kind() == reflect.Slice && rv.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
				for i := 0; i < rv.Len(); i++ {
					queue = append(queue, rv.Index(i).Interface().(tea.Cmd))
				}
				continue
			}
			if strings.Contains(fmt.Sprintf("%T", msg), "setClipboard") ||
				strings.Contains(fmt.Sprintf("%T", msg), "Tick") || strings.Contains(fmt.Sprintf("%T", msg), "FrameMsg") {
				continue
			}
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// wait is how long drive waits for a command: long while a file loads,
// a row's entry is read or the report is written (it reads the capture's
// entries again), short otherwise (so blinking cursors do not slow the
// tests down). The long wait is generous because those commands always
// answer: on a loaded machine under -race, opening the 16 MB over-size
// input took more than two seconds and its answer was dropped.
func wait(m *app) time.Duration {
	if m.state == stateLoading || m.cap != nil && (m.cap.loading || m.cap.reading != nil) || m.status == "Writing the report…" {
		return 20 * time.Second
	}
	return 30 * time.Millisecond
}

func newApp(t testing.TB, cfg Config, w, h int) *app {
	t.Helper()
	m := New(context.Background(), cfg).(*app)
	t.Cleanup(m.closeCapture) // a gzip capture's spool goes, as when Run returns
	m.c.pasteWait = 0         // an enter submits at once (TestUnbracketedPaste holds it)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(t, m, m.Init())
	return m
}

func press(t testing.TB, m *app, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		drive(t, m, cmd)
	}
}

// keyMsg is the key press of k ("enter", "esc", "tab", "backspace",
// "ctrl+c" or a character).
func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func screen(m *app) string { return ansi.Strip(m.View().Content) }

func TestOpenCaptureAndNavigate(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 100, 30)
	if m.state != stateCapture || len(m.cap.rows) != 16 {
		t.Fatalf("state %s, %d rows", m.state, len(m.cap.rows))
	}
	if m.cap.story == nil || m.cap.loading {
		t.Fatal("the capture did not finish loading")
	}
	if len(m.cap.filtered) != 6 {
		t.Errorf("Clerk-relevant rows = %d, want 6", len(m.cap.filtered))
	}
	press(t, m, "j", "j")
	if r := m.cap.selected(); r.judged().Entry.Index != 9 || r.judged().Result.Verdict.Status != inspect.Handshake {
		t.Fatalf("selected entry %d", r.judged().Entry.Index)
	}
	if !strings.Contains(screen(m), "session-token-expired-refresh-") {
		t.Error("the verdict tab does not show the reason")
	}
	press(t, m, "]")
	if m.cap.tab != tabCookies || !strings.Contains(screen(m), "suffixed") {
		t.Errorf("tab %s", m.cap.tab)
	}
	press(t, m, "c")
	if len(m.cap.filtered) != 16 {
		t.Errorf("all rows = %d", len(m.cap.filtered))
	}
	press(t, m, "G")
	if m.cap.cursor != 15 {
		t.Errorf("G: cursor %d", m.cap.cursor)
	}
	press(t, m, "g", "tab")
	if m.cap.focus != paneDetail {
		t.Error("tab did not move the focus")
	}
	press(t, m, "esc")
	if m.cap.focus != paneList {
		t.Error("esc did not go back to the list")
	}
	press(t, m, "esc")
	if m.state != stateCapture {
		t.Errorf("esc from the list stays on the capture (p opens the paste screen), state %s", m.state)
	}
}

func TestFilter(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 100, 30)
	press(t, m, "/", "a", "p", "i")
	if !m.cap.filtering || m.cap.query != "api" {
		t.Fatalf("filtering %v query %q", m.cap.filtering, m.cap.query)
	}
	for _, i := range m.cap.filtered {
		if !strings.Contains(m.cap.rows[i].lurl()+m.cap.rows[i].kind.tail, "api") {
			t.Errorf("row %s does not match", m.cap.rows[i].path())
		}
	}
	press(t, m, "enter")
	if m.cap.filtering || m.cap.query != "api" {
		t.Error("enter keeps the filter and leaves the input")
	}
	press(t, m, "esc")
	if m.cap.query != "" || len(m.cap.filtered) != 6 {
		t.Errorf("esc clears the filter: %q %d", m.cap.query, len(m.cap.filtered))
	}
	press(t, m, "/", "3", "0", "7")
	if len(m.cap.filtered) != 2 || m.cap.rows[m.cap.filtered[0]].badge() != "HS" {
		t.Errorf("filtering by verdict: %d rows", len(m.cap.filtered))
	}
}

func TestPasteScreen(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Now = func() time.Time { return time.UnixMilli(1767225600000) }
	m := newApp(t, cfg, 100, 30)
	if m.state != statePaste {
		t.Fatalf("state %s", m.state)
	}
	press(t, m, "enter")
	if !strings.Contains(m.paste.err, "Nothing to inspect") {
		t.Errorf("empty submit: %q", m.paste.err)
	}
	cookie := "__session=" + sessionFromCase(t, "prod-valid-session-document") + "; __client_uat=1767222000"
	_, cmd := m.Update(tea.PasteMsg{Content: "Cookie: " + cookie + "\n"})
	drive(t, m, cmd)
	if m.state != statePaste || m.paste.kind != inspect.KindCookieHeader {
		t.Fatalf("a pasted newline must not submit: state %s kind %s", m.state, m.paste.kind)
	}
	press(t, m, "enter")
	if m.state != stateCapture || len(m.cap.rows) != 1 {
		t.Fatalf("state %s", m.state)
	}
	v := m.cap.rows[0].judged().Result.Verdict
	if v.Status != inspect.SignedIn {
		t.Fatalf("verdict %s %s", v.Status, v.Reason)
	}
	if !strings.Contains(screen(m), "SIGNED-IN") {
		t.Error("verdict not shown")
	}
}

func TestBigPasteIsHeld(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 100, 30)
	big := "Cookie: " + strings.Repeat("x=1; ", 64<<10/5)
	_, cmd := m.Update(tea.PasteMsg{Content: big})
	drive(t, m, cmd)
	if m.paste.held == "" || m.paste.ta.Value() != "" {
		t.Fatal("a 64 KB paste must be held aside, not typed into the text area")
	}
	start := time.Now()
	for i := 0; i < 50; i++ {
		m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
		_ = screen(m)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("typing after a big paste is slow: %s for 50 keys", d)
	}
	press(t, m, "backspace")
	if m.paste.held != "" {
		t.Error("backspace clears a held paste")
	}
}

func TestPathOpensFile(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 100, 30)
	for _, r := range "../testdata/har/c-signed-out.har" {
		press(t, m, string(r))
	}
	if m.paste.kind != "file path" {
		t.Errorf("kind %q", m.paste.kind)
	}
	press(t, m, "enter")
	if m.state != stateCapture || len(m.cap.rows) != 16 {
		t.Fatalf("state %s", m.state)
	}
}

func TestBadInputShowsError(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har-samples/invalid.har"), 100, 30)
	if m.state != statePaste || !strings.Contains(m.paste.err, "invalid JSON at line") {
		t.Fatalf("state %s err %q", m.state, m.paste.err)
	}
	if !strings.Contains(screen(m), "invalid JSON") {
		t.Error("error not on screen")
	}
}

func TestKeysAndHelp(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 100, 30)
	if m.c.keys.Lookup.Enabled() {
		t.Error("l must be disabled without a Backend API key")
	}
	press(t, m, "?")
	if m.overlay != overlayHelp || !strings.Contains(screen(m), "write report") {
		t.Fatal("? shows the full help")
	}
	press(t, m, "x")
	if m.overlay != overlayNone {
		t.Error("any key closes the help")
	}
	press(t, m, "l")
	if m.cap.tab == tabBAPI {
		t.Error("a disabled l must do nothing")
	}
	press(t, m, "j", "]", "]", "]", "]")
	if m.cap.tab != tabBAPI || !strings.Contains(screen(m), "CLERK_SECRET_KEY") {
		t.Error("the BAPI tab explains how to enable lookups")
	}
	press(t, m, "s")
	if !m.c.reveal || !strings.Contains(screen(m), "SECRETS SHOWN") {
		t.Error("s reveals secrets")
	}
	press(t, m, "s", "y")
	if m.overlay != overlayMenu {
		t.Fatal("y opens the copy menu")
	}
	press(t, m, "c")
	if m.overlay != overlayNone || !strings.Contains(m.status, "Copied claims JSON") {
		t.Errorf("status %q", m.status)
	}
	if clipboard.Unsupported {
		// No system clipboard here: the copy is saved in CopyDir, the
		// test's own folder, and nowhere else.
		_, saved, _ := strings.Cut(m.status, "also saved to ")
		saved = strings.TrimSuffix(saved, ".")
		if data, err := os.ReadFile(saved); err != nil || filepath.Dir(saved) != m.c.cfg.CopyDir || !strings.Contains(string(data), `"sub"`) {
			t.Errorf("copy saved to %q (CopyDir %s): %v", saved, m.c.cfg.CopyDir, err)
		}
	}
	press(t, m, "r")
	if !strings.Contains(m.status, "Wrote the redacted report to") {
		t.Fatalf("status %q", m.status)
	}
	path := strings.TrimPrefix(m.status, "Wrote the redacted report to ")
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), "## Findings") || strings.Contains(string(data), "0gz3ouEVvUd38") {
		t.Errorf("report %v", err)
	}
}

func TestTooSmallAndResize(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/a-signed-in-happy.har"), 60, 20)
	if !strings.Contains(screen(m), "Terminal too small") {
		t.Error("no too-small message")
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	out := screen(m)
	if strings.Contains(out, "too small") || len(strings.Split(out, "\n")) != 24 {
		t.Errorf("after resize: %d lines", len(strings.Split(out, "\n")))
	}
	for _, l := range strings.Split(out, "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
}

func TestTimelineJump(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 100, 30)
	press(t, m, "]", "]", "]")
	if m.cap.tab != tabTimeline || len(m.cap.timeline.items) == 0 {
		t.Fatalf("tab %s, %d items", m.cap.tab, len(m.cap.timeline.items))
	}
	press(t, m, "tab", "enter")
	if m.cap.selected().judged().Entry.Index != m.cap.timeline.items[0].entries[0] {
		t.Errorf("jumped to %d, want %d", m.cap.selected().judged().Entry.Index, m.cap.timeline.items[0].entries[0])
	}
}

func TestMouse(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), 100, 30)
	top := captureOriginY + m.cap.bannerH // the panes start under the diagnosis banner
	m.Update(tea.MouseClickMsg{X: 5, Y: top + 2 + 3, Button: tea.MouseLeft})
	if m.cap.cursor != 3 {
		t.Errorf("click selected %d", m.cap.cursor)
	}
	m.Update(tea.MouseWheelMsg{X: 5, Y: 5, Button: tea.MouseWheelDown})
	if m.cap.cursor != 5 {
		t.Errorf("wheel moved to %d", m.cap.cursor)
	}
	m.Update(tea.MouseClickMsg{X: m.cap.listWidth() + 1 + 22, Y: top + 1, Button: tea.MouseLeft})
	if m.cap.tab != tabTimeline-1 {
		t.Errorf("a click on the third tab shows %s", m.cap.tab)
	}
	m.Update(tea.MouseClickMsg{X: 10, Y: captureOriginY, Button: tea.MouseLeft})
	if m.cap.tab != tabTimeline || m.cap.focus != paneDetail {
		t.Errorf("a click on the banner shows %s, focus %s", m.cap.tab, m.cap.focus)
	}
}

func sessionFromCase(t testing.TB, name string) string {
	data, err := os.ReadFile("../testdata/auth-cases/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "__session=")
	s = s[i+len("__session="):]
	return s[:strings.IndexAny(s, ";\"")]
}

// TestGoldens snapshots every tab of the shared captures at 80×24 and
// 120×40 (ANSI stripped). Refresh with go test ./ui -update.
func TestGoldens(t *testing.T) {
	downs := map[string]int{"b-expired-handshake": 2, "e-dev-instance": 5}
	for _, capture := range []string{"b-expired-handshake", "e-dev-instance"} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for tb := tab(0); tb < tabCount; tb++ {
				name := fmt.Sprintf("%s/%dx%d/%s", capture, size[0], size[1], tb)
				t.Run(name, func(t *testing.T) {
					m := newApp(t, testConfig(t, "../testdata/har/"+capture+".har"), size[0], size[1])
					for i := 0; i < downs[capture]; i++ {
						press(t, m, "j")
					}
					for i := tab(0); i < tb; i++ {
						press(t, m, "]")
					}
					golden.RequireEqual(t, screen(m))
				})
			}
		}
	}
}

// TestLookupTab presses l on a request and shows the Backend API cards,
// with a spinner while the lookup runs.
func TestLookupTab(t *testing.T) {
	const key = "sk_live_uiTestKey000000000000000000001"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/users/"):
			_, _ = w.Write([]byte(`{"object":"user","id":"user_2harlabJaneDoe00000000001","first_name":"Jane","last_name":"Doe","banned":true,"locked":false}`))
		case strings.HasPrefix(r.URL.Path, "/v1/sessions/"):
			_, _ = w.Write([]byte(`{"object":"session","id":"sess_x","status":"active","user_id":"user_2harlabJaneDoe00000000001"}`))
		default:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"errors":[{"code":"resource_not_found","message":"not found"}]}`))
		}
	}))
	defer srv.Close()
	c, err := bapi.New(bapi.Config{SecretKey: key, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "../testdata/har/a-signed-in-happy.har")
	cfg.Looker = bapi.NewLooker(c, 2)
	m := newApp(t, cfg, 120, 40)
	press(t, m, "j")
	if !m.c.keys.Lookup.Enabled() {
		t.Fatal("l must be enabled with a Backend API key")
	}
	m.Update(tea.KeyPressMsg{Code: 'l', Text: "l"})
	if ls := m.cap.bapi.lookups[m.cap.selected()]; ls == nil || !ls.loading || !strings.Contains(screen(m), "looking up") {
		t.Fatal("no spinner while looking up")
	}
	// The lookup's result, however long its calls take (drive drops
	// commands slower than a few milliseconds).
	m.Update(lookupCmd(m.c.ctx, cfg.Looker, m.cap.selected())())
	out := screen(m)
	for _, want := range []string{"Jane Doe", "the user is banned", "active"} {
		if !strings.Contains(out, want) {
			t.Errorf("BAPI tab lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, key) {
		t.Error("secret key on screen")
	}
}

// copied is what the open copy menu's choice k copies.
func copied(m *app, k string) (string, string, error) {
	r := []rune(k)[0]
	build := m.menu.choice(tea.KeyPressMsg{Code: r, Text: k})
	if build == nil {
		return "", "", fmt.Errorf("%s is no choice of the copy menu", k)
	}
	return build()
}

// TestUpdateDoesNoIO: the keys that read or write files return the
// command that does it; the model changes only with its result.
func TestUpdateDoesNoIO(t *testing.T) {
	m := newApp(t, testConfig(t, ""), 100, 30)
	typeText(t, m, "../testdata/har/c-signed-out.har")
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.state != statePaste || cmd == nil {
		t.Fatalf("enter on a path: state %s before its command ran", m.state)
	}
	drive(t, m, cmd)
	if m.state != stateCapture || m.cap.count() != 16 {
		t.Fatalf("state %s after the path was looked up", m.state)
	}
	dir := m.c.cfg.ReportDir
	_, cmd = m.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	if files, _ := os.ReadDir(dir); len(files) != 0 || cmd == nil {
		t.Fatalf("r wrote %d files in Update", len(files))
	}
	drive(t, m, cmd)
	if files, _ := os.ReadDir(dir); len(files) != 1 || !strings.HasPrefix(m.status, "Wrote the redacted report to") {
		t.Errorf("r's command wrote %d files, status %q", len(files), m.status)
	}

	// Selecting a row reads its entry in a command. The capture's file is
	// closed here: Update must leave it closed, keep the page on screen
	// until the answer, and drop an answer for a row no longer selected.
	src := m.cap.store.src
	closeFile := func() {
		src.mu.Lock()
		defer src.mu.Unlock()
		if src.es != nil {
			src.es.Close()
		}
		src.es = nil
	}
	opened := func() bool {
		src.mu.Lock()
		defer src.mu.Unlock()
		return src.es != nil
	}
	answer := func(cmd tea.Cmd, r *row) tea.Msg {
		t.Helper()
		for _, c := range flatten(cmd) {
			done := make(chan tea.Msg, 1)
			go func() { done <- c() }()
			select {
			case msg := <-done:
				if a, ok := msg.(entryReadMsg); ok && a.row == r {
					return a
				}
			case <-time.After(time.Second):
			}
		}
		t.Fatalf("no command reads entry %d", r.index)
		return nil
	}
	closeFile()
	before := shownContent(m)
	j := tea.KeyPressMsg{Code: 'j', Text: "j"}
	_, cmd1 := m.Update(j)
	r1 := m.cap.selected()
	_, cmd2 := m.Update(j)
	r2 := m.cap.selected()
	if opened() || r1 == r2 || r2.atHand() != nil {
		t.Fatalf("j read the file in Update (opened %v, entry at hand %v)", opened(), r2.atHand() != nil)
	}
	if shownContent(m) != before {
		t.Error("the Verdict tab changed before the entry was read")
	}
	// r1's read ends last: r2's entry is not at hand until its answer.
	a2 := answer(cmd2, r2)
	a1 := answer(cmd1, r1)
	m.Update(a1)
	if shownContent(m) != before || src.held == r1 {
		t.Error("an answer for a row no longer selected was shown")
	}
	m.Update(a2)
	after := shownContent(m)
	if after == before || src.held != r2 || after != m.cap.active().page(r2, m.cap.active().(*verdictTab).vp.Width()) {
		t.Errorf("the answer for the selected row is not shown:\n%s", after)
	}
	// The tabs, the filter and the way back show the entry at hand.
	closeFile()
	for _, k := range []string{"tab", "]", "]", "]", "]", "]", "/", "a", "esc", "k", "j"} {
		_, cmd := m.Update(keyMsg(k))
		if opened() {
			t.Fatalf("%s read the file in Update", k)
		}
		// Only the command reads: k selects another row.
		drive(t, m, cmd)
		closeFile()
	}
	if m.cap.selected() != r2 || src.held != r2 {
		t.Errorf("back on row %d, the tabs hold %v", r2.index, src.held)
	}
}

// TestPathDetectionIsACommand: whether a typed line is a file is looked up
// by a command, not in Update; until it answers the screen keeps what it
// showed, and an answer for an older text is dropped.
func TestPathDetectionIsACommand(t *testing.T) {
	const path = "../testdata/har/c-signed-out.har"
	m := newApp(t, testConfig(t, ""), 100, 30)
	typeText(t, m, path[:len(path)-1])
	if m.paste.kind != "a path: no such file" {
		t.Fatalf("detected %q before the last key", m.paste.kind)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	if m.paste.kind != "a path: no such file" || !strings.Contains(screen(m), "Detected: a path: no such file") {
		t.Errorf("the detection changed before its command ran: %q", m.paste.kind)
	}
	var answer tea.Msg
	for _, c := range flatten(cmd) {
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		select {
		case msg := <-done:
			if d, ok := msg.(pathDetectedMsg); ok {
				answer = d
			}
		case <-time.After(time.Second):
		}
	}
	if answer == nil {
		t.Fatal("the last key returned no detection command")
	}
	// A key typed before the answer comes makes it stale.
	typeText(t, m, "x")
	m.Update(answer)
	if m.paste.kind != "a path: no such file" {
		t.Errorf("a stale answer was taken: %q", m.paste.kind)
	}
	press(t, m, "backspace")
	if m.paste.kind != "file path" {
		t.Errorf("detected %q for %s", m.paste.kind, path)
	}
	// Text the engine recognises is detected at once, with no command.
	press(t, m, "esc")
	m.Update(tea.PasteMsg{Content: "__session=abc"})
	if m.paste.kind != inspect.KindCookieHeader {
		t.Errorf("detected %q for a Cookie header", m.paste.kind)
	}
	m.Update(answer)
	if m.paste.kind != inspect.KindCookieHeader {
		t.Errorf("a path's answer replaced the Cookie header's kind: %q", m.paste.kind)
	}
}

// flatten is the commands a command batches, run one level down.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			return b
		}
		return []tea.Cmd{func() tea.Msg { return msg }}
	case <-time.After(time.Second):
		return nil
	}
}

// page is tab t's whole page for r in width w, whatever the pane shows,
// with r's entry read first (as readEntryCmd reads it for the tabs).
func (m *capture) page(t tab, r *row, w int) string {
	r.judged()
	return m.tabOf(t).page(r, w)
}

// content is what the tab's viewport holds: its whole page as laid out.
func (p *pager) content() string { return p.vp.GetContent() }

// shownContent is the whole page of the tab on screen.
func shownContent(m *app) string {
	return m.cap.active().(interface{ content() string }).content()
}
