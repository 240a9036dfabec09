package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"

	"clerkscope/har"
	"clerkscope/inspect"
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

// copyText builds what the copy menu copies for a row.
func (c *common) copyText(choice string, r *row, all []*row, story *har.Story) (string, string, error) {
	switch choice {
	case "t":
		if !r.j.Judged || r.j.Result.Verdict.Token == nil {
			return "", "", fmt.Errorf("this request has no session token")
		}
		return "session token", r.j.Result.Verdict.Token.Raw, nil
	case "c":
		if !r.j.Judged || r.j.Result.Verdict.Token == nil {
			return "", "", fmt.Errorf("this request has no session token")
		}
		b, _ := json.MarshalIndent(r.j.Result.Verdict.Token.Payload, "", "  ")
		return "claims JSON", string(b), nil
	case "u":
		return "request as cURL (contains live cookies)", curlFor(r.j), nil
	case "r":
		var buf bytes.Buffer
		if err := c.writeReport(&buf, all, story); err != nil {
			return "", "", err
		}
		return "redacted report", buf.String(), nil
	}
	return "", "", fmt.Errorf("unknown choice")
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

// writeReport writes the redacted Markdown report of the rows in memory.
func (c *common) writeReport(w *bytes.Buffer, rows []*row, story *har.Story) error {
	name := c.cfg.Path
	if name == "" {
		name = "pasted request"
	}
	// Sanitised as clerkscope report is: the file may be printed later.
	sw := inspect.NewSanitizer(w)
	rep := har.NewMarkdownReport(sw, name, inspect.RenderOptions{Reveal: c.reveal})
	for _, r := range rows {
		rep.Write(r.j)
	}
	err := rep.Close(story, nil)
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	return err
}

// reportCmd writes the report to a file in the report folder.
func (c *common) reportCmd(rows []*row, story *har.Story) tea.Cmd {
	var buf bytes.Buffer
	err := c.writeReport(&buf, rows, story)
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

// menuView is the copy menu.
func (c *common) menuView() string {
	st := c.styles
	lines := []string{
		st.Title.Render("Copy"),
		st.Key.Render("t") + "  the session token",
		st.Key.Render("c") + "  the claims as JSON",
		st.Key.Render("u") + "  the request as cURL",
		st.Key.Render("r") + "  the redacted report",
		st.Muted.Render("esc closes"),
	}
	return st.Menu.Render(strings.Join(lines, "\n"))
}
