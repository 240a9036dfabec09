package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

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

// copyText builds what a copy menu choice copies for a row.
func (c *common) copyText(choice key.Binding, r *row, cp *capture) (string, string, error) {
	k := c.keys
	var tok *inspect.JWT
	if r.j.Judged {
		tok = r.j.Result.Verdict.Token
	}
	claim := func(name, what string) (string, string, error) {
		if tok == nil || tok.ClaimString(name) == "" {
			return "", "", fmt.Errorf("the token has no %s claim", name)
		}
		return what, tok.ClaimString(name), nil
	}
	switch {
	case sameKey(choice, k.CopyToken):
		if tok == nil {
			return "", "", fmt.Errorf("this request has no session token")
		}
		return "session token", tok.Raw, nil
	case sameKey(choice, k.CopyClaims):
		if tok == nil {
			return "", "", fmt.Errorf("this request has no session token")
		}
		b, _ := json.MarshalIndent(tok.Payload, "", "  ")
		return "claims JSON", string(b), nil
	case sameKey(choice, k.CopySub):
		return claim("sub", "sub (the user id)")
	case sameKey(choice, k.CopySID):
		return claim("sid", "sid (the session id)")
	case sameKey(choice, k.CopyOrg):
		if id := orgID(r); id != "" {
			return "org_id", id, nil
		}
		return "", "", fmt.Errorf("the token names no organization")
	case sameKey(choice, k.CopyCurl):
		return "request as cURL (contains live cookies)", curlFor(r.j), nil
	case sameKey(choice, k.CopyDelivery):
		if r.hook == nil {
			return "", "", fmt.Errorf("this request is not a webhook delivery")
		}
		return "delivery as raw HTTP (with its signature: it can be replayed for 5 minutes after its timestamp)", rawDelivery(r.hook.Delivery), nil
	case sameKey(choice, k.CopyReport):
		var buf bytes.Buffer
		if err := c.writeReport(&buf, cp); err != nil {
			return "", "", err
		}
		return "redacted report", buf.String(), nil
	}
	return "", "", fmt.Errorf("unknown choice")
}

// sameKey reports whether two bindings are the same key.
func sameKey(a, b key.Binding) bool {
	return len(a.Keys()) > 0 && len(b.Keys()) > 0 && a.Keys()[0] == b.Keys()[0]
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

// writeReport writes the redacted Markdown report of the capture in
// memory: its requests, story and webhook deliveries.
func (c *common) writeReport(w *bytes.Buffer, cp *capture) error {
	rows, story := cp.rows, cp.story
	name := c.cfg.Path
	if name == "" {
		name = "pasted request"
	}
	// Sanitised as clerkscope report is: the file may be printed later.
	sw := inspect.NewSanitizer(w)
	rep := har.NewMarkdownReport(sw, name, har.RenderOptions{Reveal: c.reveal})
	for _, r := range rows {
		rep.Write(r.j)
	}
	if cp.hooks != nil {
		rep.AddWebhooks(cp.hooks)
	}
	err := rep.Close(story, nil)
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	return err
}

// reportCmd writes the report to a file in the report folder.
func (c *common) reportCmd(cp *capture) tea.Cmd {
	var buf bytes.Buffer
	err := c.writeReport(&buf, cp)
	dir := c.cfg.ReportDir
	now := c.now()
	return func() tea.Msg {
		if err != nil {
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

// menuView is the copy menu: only what the selected row has.
func (c *common) menuView() string {
	st := c.styles
	lines := []string{st.Title.Render("Copy")}
	for _, b := range c.keys.copyChoices() {
		if b.Enabled() {
			lines = append(lines, st.Key.Render(b.Help().Key)+"  "+b.Help().Desc)
		}
	}
	lines = append(lines, st.Muted.Render("esc closes"))
	return st.Menu.Render(strings.Join(lines, "\n"))
}

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
