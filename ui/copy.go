package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// textCopiedMsg reports how a copy reached the user.
type textCopiedMsg struct {
	what string
	how  string
	err  error
}

// reportWrittenMsg reports a written report.
type reportWrittenMsg struct {
	path string
	err  error
}

// copyCmd copies text: OSC 52 through the terminal first (it works over
// SSH and in tmux with set-clipboard on), the local clipboard when one
// exists, and a file as the last resort, so the text is never lost.
func copyCmd(what, text, dir string) tea.Cmd {
	local := func() tea.Msg { return copyLocal(what, text, dir) }
	return tea.Sequence(tea.SetClipboard(text), local)
}

// copyFile is the one file a copy is saved to when there is no system
// clipboard: a stable path the user can type, overwritten by each copy and
// removed when the dashboard exits (a copy may be a live token).
const copyFile = "clerkscope-copy.txt"

// copyLocal copies text to the system clipboard, else saves it in dir, in
// a file only the user can read (0600).
func copyLocal(what, text, dir string) textCopiedMsg {
	if !clipboard.Unsupported {
		if err := clipboard.WriteAll(text); err == nil {
			return textCopiedMsg{what: what, how: "to the system clipboard and the terminal's (OSC 52)"}
		}
	}
	path := filepath.Join(dir, copyFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return textCopiedMsg{what: what, how: "to the terminal's clipboard (OSC 52) only", err: err}
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return textCopiedMsg{what: what, err: err}
	}
	if _, err := f.WriteString(text); err != nil {
		return textCopiedMsg{what: what, err: err}
	}
	return textCopiedMsg{what: what, how: "to the terminal's clipboard (OSC 52); no system clipboard here, so until clerkscope exits also saved to " + path}
}

// defaultCopyDir is the user's cache folder for clerkscope (0700), else the
// temporary folder.
func defaultCopyDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		dir := filepath.Join(d, "clerkscope")
		if os.MkdirAll(dir, 0o700) == nil {
			return dir
		}
	}
	return os.TempDir()
}

// copyMenu is the copy menu (y): what the selected row has to copy, each
// choice a binding of the keymap, listed only when the row has it. A
// choice copies in a command, which builds the text (the report, the
// claims' JSON) off the program's loop.
type copyMenu struct {
	c *common
	r *row
	// rep is the report as it was when the menu opened.
	rep reportInput
	w   int
}

// open shows the menu for r (the capture's report as rep).
func (m *copyMenu) open(r *row, rep reportInput) { m.r, m.rep = r, rep }

// SetSize sets the width the menu's lines fit in.
func (m *copyMenu) SetSize(w, _ int) { m.w = w }

// setEnabled lists in the menu only what the row has.
func (m *copyMenu) setEnabled(k *keyMap) {
	k.CloseMenu.SetEnabled(true)
	r := m.r
	if r == nil {
		return
	}
	v := r.verdict()
	tok := v != nil && v.Token != nil
	k.CopyToken.SetEnabled(tok)
	k.CopyClaims.SetEnabled(tok)
	k.CopySub.SetEnabled(tok && v.Token.ClaimString("sub") != "")
	k.CopySID.SetEnabled(tok && v.Token.ClaimString("sid") != "")
	k.CopyOrg.SetEnabled(tok && orgID(r) != "")
	k.CopyCurl.SetEnabled(true)
	k.CopyDelivery.SetEnabled(r.hook() != nil)
	k.CopyReport.SetEnabled(true)
}

// Update copies what the key chose (any other key copies nothing).
func (m copyMenu) Update(msg tea.Msg) (copyMenu, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	build := m.choice(kp)
	if build == nil {
		return m, nil
	}
	dir := m.c.cfg.CopyDir
	return m, func() tea.Msg {
		what, text, err := build()
		if err != nil {
			return statusMsg{"Nothing copied: " + err.Error()}
		}
		return copyCmd(what, text, dir)()
	}
}

// choice is what an enabled choice copies, built when called: what it is
// and the text (nil: the key is no choice of the menu).
func (m copyMenu) choice(msg tea.KeyPressMsg) func() (string, string, error) {
	k, r := m.c.keys, m.r
	if r == nil {
		return nil
	}
	var tok *inspect.JWT
	if v := r.verdict(); v != nil {
		tok = v.Token
	}
	noToken := func() (string, string, error) { return "", "", fmt.Errorf("this request has no session token") }
	claim := func(name, what string) func() (string, string, error) {
		return func() (string, string, error) {
			if tok == nil || tok.ClaimString(name) == "" {
				return "", "", fmt.Errorf("the token has no %s claim", name)
			}
			return what, tok.ClaimString(name), nil
		}
	}
	switch {
	case key.Matches(msg, k.CopyToken):
		if tok == nil {
			return noToken
		}
		return func() (string, string, error) { return "session token", tok.Raw, nil }
	case key.Matches(msg, k.CopyClaims):
		if tok == nil {
			return noToken
		}
		return func() (string, string, error) {
			b, _ := json.MarshalIndent(tok.Payload, "", "  ")
			return "claims JSON", string(b), nil
		}
	case key.Matches(msg, k.CopySub):
		return claim("sub", "sub (the user id)")
	case key.Matches(msg, k.CopySID):
		return claim("sid", "sid (the session id)")
	case key.Matches(msg, k.CopyOrg):
		id := orgID(r)
		return func() (string, string, error) {
			if id == "" {
				return "", "", fmt.Errorf("the token names no organization")
			}
			return "org_id", id, nil
		}
	case key.Matches(msg, k.CopyCurl):
		// The entry is read in the command, not here in Update.
		return func() (string, string, error) {
			return "request as cURL (contains live cookies)", curlFor(r.judged()), nil
		}
	case key.Matches(msg, k.CopyDelivery):
		hook := r.hook()
		return func() (string, string, error) {
			if hook == nil {
				return "", "", fmt.Errorf("this request is not a webhook delivery")
			}
			return "delivery as raw HTTP (with its signature: it can be replayed for 5 minutes after its timestamp)", rawDelivery(hook.Delivery), nil
		}
	case key.Matches(msg, k.CopyReport):
		rep := m.rep
		return func() (string, string, error) {
			var buf bytes.Buffer
			if err := rep.write(&buf); err != nil {
				return "", "", err
			}
			return "redacted report", buf.String(), nil
		}
	}
	return nil
}

// View is the menu: only what the selected row has.
func (m copyMenu) View() string {
	st := m.c.styles
	lines := []string{st.Title.Render("Copy")}
	for _, b := range m.c.keys.copyChoices() {
		if b.Enabled() {
			lines = append(lines, st.Key.Render(b.Help().Key)+"  "+b.Help().Desc)
		}
	}
	lines = append(lines, st.Muted.Render(m.c.keys.CloseMenu.Help().Key+" closes"))
	if m.w > 0 {
		for i, l := range lines {
			lines[i] = truncateW(l, m.w-4)
		}
	}
	return st.Menu.Render(strings.Join(lines, "\n"))
}

// ShortHelp implements help.KeyMap: the menu's choices are in the menu;
// the help line says how to close it.
func (m copyMenu) ShortHelp() []key.Binding { return enabled(m.c.keys.CloseMenu, m.c.keys.Quit) }

// FullHelp implements help.KeyMap.
func (m copyMenu) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.c.keys.copyChoices(), m.ShortHelp()}
}

// curlFor rebuilds the request as a bash cURL command.
func curlFor(j *har.Judged) string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var b strings.Builder
	b.WriteString("curl " + q(j.Request.URL))
	if m := strings.ToUpper(j.Request.Method); m != "" && m != "GET" {
		b.WriteString(" -X " + m)
	}
	hdrs := j.Request.Headers
	if j.Entry != nil {
		hdrs = nil
		for _, h := range j.Entry.Request.Headers {
			hdrs = append(hdrs, inspect.Header{Name: h.Name, Value: h.Value})
		}
		if c, raw := j.Entry.CookieHeader(); !raw && c != "" {
			hdrs = append(hdrs, inspect.Header{Name: "cookie", Value: c})
		}
	}
	for _, h := range hdrs {
		if strings.HasPrefix(h.Name, ":") {
			continue
		}
		b.WriteString(" \\\n  -H " + q(h.Name+": "+h.Value))
	}
	return b.String()
}

// reportInput is what the redacted report is written from, taken when it
// is asked for, so that the command writing it shares nothing with the
// model but the rows, which it only reads (their entries are read again
// from the capture's file as the report is written).
type reportInput struct {
	name   string
	rows   []*row
	story  *har.Story
	hooks  *webhook.Report
	reveal bool
}

// reportInput is the capture's report as it stands.
func (m *capture) reportInput() reportInput {
	in := reportInput{name: m.c.cfg.Path, story: m.story, hooks: m.hooks, reveal: m.c.reveal}
	if in.name == "" {
		in.name = "pasted request"
	}
	in.rows = m.rows[:len(m.rows):len(m.rows)]
	return in
}

// write writes the redacted Markdown report of the capture in memory: its
// requests, story and webhook deliveries.
func (in reportInput) write(w *bytes.Buffer) error {
	// Sanitised as clerkscope report is: the file may be printed later.
	sw := inspect.NewSanitizer(w)
	rep := har.NewMarkdownReport(sw, in.name, har.RenderOptions{Reveal: in.reveal})
	for _, r := range in.rows {
		rep.Write(r.judged())
	}
	if in.hooks != nil {
		rep.AddWebhooks(in.hooks)
	}
	err := rep.Close(in.story, nil)
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	return err
}

// reportCmd writes the report to a file in dir, named for now.
func reportCmd(in reportInput, dir string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		var buf bytes.Buffer
		if err := in.write(&buf); err != nil {
			return reportWrittenMsg{err: err}
		}
		path := filepath.Join(dir, "clerkscope-report-"+now.UTC().Format("20060102-150405")+".md")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			return reportWrittenMsg{err: err}
		}
		return reportWrittenMsg{path: path}
	}
}

func truncateW(s string, w int) string { return ansi.Truncate(s, max(1, w), "…") }

// rawDelivery is a webhook delivery as the HTTP request it was, to replay
// it against a local handler.
func rawDelivery(d *webhook.Delivery) string {
	var b strings.Builder
	target := d.URL
	if u, err := url.Parse(d.URL); err == nil && u.Path != "" {
		target = u.RequestURI()
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", d.Method, target)
	for _, h := range d.Headers {
		if strings.HasPrefix(h.Name, ":") {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("\r\n")
	b.Write(d.Body)
	return b.String()
}
