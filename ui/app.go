// Package ui is clerkscope's dashboard: a Bubble Tea v2 program over pasted
// requests, HAR captures and Backend API lookups. It renders what the
// inspect and har packages decided; it never decides anything itself.
package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"
)

// Minimum legible size.
const (
	minWidth  = 80
	minHeight = 24
)

// state is which screen the root shows.
type state int

const (
	statePaste state = iota
	stateLoading
	stateCapture
)

func (s state) String() string { return [...]string{"paste", "loading", "capture"}[s] }

// clipboardReadMsg is text read from the local clipboard (ctrl+v).
type clipboardReadMsg struct {
	text string
	err  error
}

// app is the root model: it owns focus and routing, the window size and
// pastes, and forwards everything else to the current screen.
type app struct {
	c        *common
	ctx      context.Context
	state    state
	paste    *pasteScreen
	cap      *capture
	help     help.Model
	showHelp bool
	menu     bool
	status   string
	gen      int
	ch       chan batchLoadedMsg
	name     string
}

// New builds the dashboard model (used by Run and by tests).
func New(ctx context.Context, cfg Config) tea.Model {
	c := &common{ctx: ctx, styles: defaultStyles(true), keys: defaultKeyMap(), cfg: cfg, reveal: cfg.Reveal}
	if c.cfg.ReportDir == "" {
		c.cfg.ReportDir = "."
	}
	if c.cfg.CopyDir == "" {
		c.cfg.CopyDir = defaultCopyDir()
	}
	m := &app{c: c, ctx: ctx, paste: newPasteScreen(c), help: help.New()}
	return m
}

// Run starts the dashboard and blocks until the user quits or ctx ends.
func Run(ctx context.Context, cfg Config) error {
	m := New(ctx, cfg)
	p := tea.NewProgram(m, programOptions(ctx)...)
	_, err := p.Run()
	// A copy saved for want of a clipboard may hold a live token.
	os.Remove(filepath.Join(m.(*app).c.cfg.CopyDir, copyFile))
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}

// programOptions are the dashboard program's options. Signals are the
// caller's: SIGINT, SIGTERM and SIGHUP cancel ctx (Bubble Tea's own handler
// would quit with no trace of the signal and ignores SIGHUP), and a
// cancelled context ends the program with the terminal restored.
func programOptions(ctx context.Context) []tea.ProgramOption {
	return []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler()}
}

func (m *app) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	switch {
	case m.c.cfg.Path == "-":
		cmds = append(cmds, m.startLoad("stdin", bytesOpener(m.c.cfg.Stdin)))
	case m.c.cfg.Path != "":
		cmds = append(cmds, m.startLoad(filepath.Base(m.c.cfg.Path), fileOpener(m.c.cfg.Path)))
	default:
		cmds = append(cmds, m.paste.Focus())
	}
	if m.c.cfg.Notices != nil {
		cmds = append(cmds, waitNoticeCmd(m.c.cfg.Notices))
	}
	return tea.Batch(cmds...)
}

func (m *app) startLoad(name string, open func() (io.ReadCloser, int64, error)) tea.Cmd {
	m.gen++
	m.name = name
	m.state = stateLoading
	m.cap = newCapture(m.c, name)
	m.cap.SetSize(m.c.width, m.bodyHeight())
	m.menu, m.showHelp = false, false
	return loadCmd(m.ctx, m.gen, m.c.cfg.Setup, name, open, m.c.now())
}

func (m *app) bodyHeight() int { return max(1, m.c.height-3) }

func (m *app) setSize(w, h int) {
	m.c.width, m.c.height = w, h
	m.help.SetWidth(w)
	m.paste.SetSize(w, m.bodyHeight())
	if m.cap != nil {
		m.cap.SetSize(w, m.bodyHeight())
	}
}

// syncKeys enables only the bindings that do something now.
func (m *app) syncKeys() {
	k := &m.c.keys
	if m.state == stateCapture || m.state == stateLoading {
		k.Quit = key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit"))
		k.Help.SetEnabled(true)
		k.Back.SetEnabled(true)
		m.cap.setEnabled(k)
		return
	}
	k.Quit = key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))
	for _, b := range []*key.Binding{&k.Help, &k.Filter, &k.NextPane, &k.PrevPane, &k.Open, &k.Up, &k.Down, &k.Top, &k.Bottom,
		&k.PageUp, &k.PageDown, &k.PrevTab, &k.NextTab, &k.Timeline, &k.Copy, &k.Report, &k.Lookup, &k.Secrets, &k.ClerkOnly, &k.NewPaste} {
		b.SetEnabled(false)
	}
	k.Submit.SetEnabled(true)
	k.Newline.SetEnabled(true)
	k.ReadClip.SetEnabled(true)
	k.Back.SetEnabled(m.cap != nil || m.paste.value() != "")
}

func (m *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.syncKeys()
	return m, cmd
}

func (m *app) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return nil
	case tea.BackgroundColorMsg:
		m.c.styles = defaultStyles(msg.IsDark())
		if m.cap != nil {
			m.cap.shownKey = ""
			m.cap.refreshDetail()
		}
		return nil
	case tea.PasteMsg:
		return m.onPaste(msg.Content)
	case tea.ClipboardMsg:
		if msg.Content != "" {
			return m.onPaste(msg.Content)
		}
		return nil
	case clipboardReadMsg:
		if msg.err != nil || msg.text == "" {
			m.status = "Nothing to read from the clipboard here: paste with your terminal's paste key instead."
			return tea.ReadClipboard
		}
		return m.onPaste(msg.text)
	case loadStartedMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.ch = msg.ch
		return waitBatch(msg.ch)
	case batchLoadedMsg:
		return m.onBatch(msg)
	case textCopiedMsg:
		if msg.err != nil {
			m.status = "Copy failed: " + msg.err.Error()
		} else {
			m.status = "Copied " + msg.what + " " + msg.how + "."
		}
		return nil
	case reportWrittenMsg:
		if msg.err != nil {
			m.status = "Could not write the report: " + msg.err.Error()
		} else {
			m.status = "Wrote the redacted report to " + msg.path
		}
		return nil
	case bapiNoticeMsg:
		m.status = msg.notice.String()
		return waitNoticeCmd(msg.ch)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	if m.cap != nil && m.state != statePaste {
		return m.updateCapture(msg)
	}
	if m.state == statePaste {
		return m.updatePaste(msg)
	}
	return nil
}

// updateCapture and updatePaste forward a message to the focused screen.
func (m *app) updateCapture(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.cap, cmd = m.cap.Update(msg)
	return cmd
}

func (m *app) updatePaste(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.paste, cmd = m.paste.Update(msg)
	return cmd
}

func (m *app) onPaste(s string) tea.Cmd {
	if m.state == stateCapture && m.cap != nil && m.cap.filtering {
		return m.updateCapture(tea.PasteMsg{Content: strings.ReplaceAll(s, "\n", " ")})
	}
	if m.state != statePaste {
		m.state = statePaste
		m.paste.clear()
	}
	return tea.Batch(m.paste.paste(s), m.paste.Focus())
}

func (m *app) onBatch(msg batchLoadedMsg) tea.Cmd {
	if msg.gen != m.gen || m.cap == nil {
		return nil
	}
	m.cap.read, m.cap.total = msg.read, msg.total
	m.cap.addRows(msg.rows)
	m.cap.refreshDetail()
	if len(m.cap.rows) > 0 && m.state == stateLoading {
		m.state = stateCapture
	}
	if !msg.done {
		return waitBatch(m.ch)
	}
	if len(m.cap.rows) == 0 {
		m.state = statePaste
		if msg.err != nil {
			m.paste.err = msg.err.Error()
		} else {
			m.paste.err = "the capture has no entries"
		}
		m.cap = nil
		return m.paste.Focus()
	}
	m.state = stateCapture
	m.cap.finish(msg.story, msg.diagnosis, msg.err)
	if msg.err != nil {
		m.status = msg.err.Error()
	} else {
		noun := "requests"
		if len(m.cap.rows) == 1 {
			noun = "request"
		}
		m.status = fmt.Sprintf("Read %d %s from %s.", len(m.cap.rows), noun, msg.name)
		if len(msg.notes) > 0 {
			m.status += " Note: " + strings.Join(msg.notes, "; ")
		}
	}
	return nil
}

func (m *app) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if m.showHelp {
		m.showHelp = false
		return nil
	}
	if m.menu {
		m.menu = false
		if msg.String() == "esc" {
			return nil
		}
		r := m.cap.selected()
		if r == nil {
			return nil
		}
		what, text, err := m.c.copyText(msg.String(), r, m.cap.rows, m.cap.story)
		if err != nil {
			m.status = "Nothing copied: " + err.Error()
			return nil
		}
		return copyCmd(what, text, m.c.cfg.CopyDir)
	}
	switch m.state {
	case statePaste:
		return m.pasteKey(msg)
	default:
		if m.cap == nil {
			return nil
		}
		if m.cap.filtering {
			return m.updateCapture(msg)
		}
		switch {
		case key.Matches(msg, k.Quit):
			return tea.Quit
		case key.Matches(msg, k.Help):
			m.showHelp = true
			return nil
		case key.Matches(msg, k.Copy):
			if m.cap.selected() != nil {
				m.menu = true
			}
			return nil
		case key.Matches(msg, k.Report):
			m.status = "Writing the report…"
			return m.c.reportCmd(m.cap.rows, m.cap.story)
		case key.Matches(msg, k.Secrets):
			m.c.reveal = !m.c.reveal
			if m.c.reveal {
				m.status = "Secrets shown: tokens and cookie values are visible. s hides them."
			} else {
				m.status = "Secrets hidden."
			}
			m.cap.shownKey = ""
			m.cap.refreshDetail()
			return nil
		case key.Matches(msg, k.NewPaste):
			m.state = statePaste
			return m.paste.Focus()
		case key.Matches(msg, k.Back):
			switch {
			case m.cap.query != "":
				m.cap.query = ""
				m.cap.filter.SetValue("")
				m.cap.refilter(true)
				m.cap.refreshDetail()
			case m.cap.focus == paneDetail && len(m.cap.rows) > 1:
				m.cap.focus = paneList
			default:
				m.state = statePaste
				return m.paste.Focus()
			}
			return nil
		}
		return m.updateCapture(msg)
	}
}

func (m *app) pasteKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.Newline):
		if m.paste.held == "" {
			m.paste.ta.InsertString("\n")
		}
		return nil
	case key.Matches(msg, k.ReadClip):
		return func() tea.Msg {
			if clipboard.Unsupported {
				return clipboardReadMsg{err: fmt.Errorf("no local clipboard")}
			}
			t, err := clipboard.ReadAll()
			return clipboardReadMsg{text: t, err: err}
		}
	case key.Matches(msg, k.Back):
		if m.paste.value() != "" {
			m.paste.clear()
			return nil
		}
		if m.cap != nil {
			m.state = stateCapture
		}
		return nil
	}
	return m.updatePaste(msg)
}

// submit inspects what was pasted or typed: a path opens that file.
func (m *app) submit() tea.Cmd {
	v := strings.TrimSpace(m.paste.value())
	if v == "" {
		m.paste.err = "Nothing to inspect yet: paste a Cookie header, a cURL command, a JWT, or type a path."
		return nil
	}
	if !strings.ContainsAny(v, "\n;=") {
		p := v
		if strings.HasPrefix(p, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				p = filepath.Join(home, p[2:])
			}
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			m.c.cfg.Path = p
			m.paste.clear()
			return m.startLoad(filepath.Base(p), fileOpener(p))
		}
	}
	m.paste.err = ""
	m.c.cfg.Path = ""
	text := m.paste.value()
	return m.startLoad("pasted "+strings.ToLower(string(m.paste.kind)), bytesOpener([]byte(text)))
}

func (m *app) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "clerkscope"
	return v
}

func (m *app) render() string {
	w, h := m.c.width, m.c.height
	st := m.c.styles
	if w == 0 || h == 0 {
		return ""
	}
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("Terminal too small: clerkscope needs %d×%d, this one is %d×%d.\nEnlarge the window, or use clerkscope explain.", minWidth, minHeight, w, h)
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Warn.Render(msg))
	}
	header := st.Title.Render("clerkscope") + st.Muted.Render(" · ")
	switch m.state {
	case statePaste:
		header += st.Text.Render("paste a request")
	default:
		header += st.Text.Render(safe(m.name))
		if m.cap != nil && len(m.cap.rows) > 0 {
			if r := m.cap.rows[0]; r.j.Judged && r.j.Result.Verdict.Instance.FrontendAPI != "" {
				inst := r.j.Result.Verdict.Instance
				header += st.Muted.Render(" · " + safe(inst.Type+" "+inst.FrontendAPI))
			}
		}
		if m.c.reveal {
			header += st.Err.Render(" · SECRETS SHOWN")
		}
	}
	header = ansi.Truncate(header, w, "…")
	var body string
	switch m.state {
	case statePaste:
		body = m.paste.View()
	case stateLoading:
		if m.cap != nil {
			body = m.cap.View()
		}
	default:
		body = m.cap.View()
	}
	if m.menu {
		body = lipgloss.Place(w, m.bodyHeight(), lipgloss.Center, lipgloss.Center, m.c.menuView())
	}
	if m.showHelp {
		body = lipgloss.Place(w, m.bodyHeight(), lipgloss.Center, lipgloss.Center,
			st.Menu.Render(st.Title.Render("Keys")+"\n\n"+m.helpFull()+"\n\n"+st.Muted.Render("any key closes this")))
	}
	body = lipgloss.Place(w, m.bodyHeight(), lipgloss.Left, lipgloss.Top, body)
	status := ansi.Truncate(st.Status.Render(safe(m.status)), w, "…")
	m.help.ShowAll = false
	var keys help.KeyMap = m.paste
	if m.state != statePaste && m.cap != nil {
		keys = m.cap
	}
	helpLine := ansi.Truncate(m.help.View(keys), w, "…")
	return header + "\n" + body + "\n" + status + "\n" + helpLine
}

func (m *app) helpFull() string {
	hm := m.help
	hm.ShowAll = true
	hm.SetWidth(max(20, m.c.width-6))
	return hm.View(m.c.keys)
}
