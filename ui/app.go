// Package ui is clerkscope's dashboard: a Bubble Tea v2 program over pasted
// requests, HAR captures and Backend API lookups. It renders what the
// inspect and har packages decided; it never decides anything itself.
package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
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

// overlay is what is drawn over the screen, if anything.
type overlay int

const (
	overlayNone overlay = iota
	overlayHelp
	overlayMenu
	overlayMessages
)

func (o overlay) String() string { return [...]string{"none", "help", "copy menu", "messages"}[o] }

// maxStatusLines is how many lines the status line may wrap to; the rest
// of a longer message is in the message log (m).
const maxStatusLines = 3

// clipboardReadMsg is text read from the local clipboard (ctrl+v).
type clipboardReadMsg struct {
	text string
	err  error
}

// app is the root model: it owns focus and routing, the window size and
// pastes, and forwards everything else to the current screen.
type app struct {
	c       *common
	ctx     context.Context
	state   state
	overlay overlay
	paste   *pasteScreen
	cap     *capture
	menu    copyMenu
	help    help.Model
	// ovp scrolls the help and the message log.
	ovp     viewport.Model
	status  string
	log     []string
	statusH int
	gen     int
	ch      chan batchLoadedMsg
	name    string
}

// New builds the dashboard model (used by Run and by tests).
func New(ctx context.Context, cfg Config) tea.Model {
	c := &common{ctx: ctx, styles: defaultStyles(true), keys: defaultKeyMap(), cfg: cfg, reveal: cfg.Reveal, pasteWait: pasteWait}
	if c.cfg.ReportDir == "" {
		c.cfg.ReportDir = "."
	}
	if c.cfg.CopyDir == "" {
		c.cfg.CopyDir = defaultCopyDir()
	}
	if c.cfg.Setup == nil {
		c.cfg.Setup = &inspect.Setup{}
	}
	m := &app{c: c, ctx: ctx, paste: newPasteScreen(c), menu: copyMenu{c: c}, help: help.New(), ovp: viewport.New(), statusH: 1}
	return m
}

// Run starts the dashboard and blocks until the user quits or ctx ends.
func Run(ctx context.Context, cfg Config) error {
	m := New(ctx, cfg)
	p := tea.NewProgram(m, programOptions(ctx)...)
	_, err := p.Run()
	// A gzip capture's spool goes with the capture.
	m.(*app).closeCapture()
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
	// The command line's file is judged with the flags' settings, which
	// the paste screen starts with; its notes name the flags.
	s, _ := m.paste.settings()
	s.screen = false
	switch {
	case m.c.cfg.Path != "":
		cmds = append(cmds, m.startLoad(filepath.Base(m.c.cfg.Path), fileOpener(m.c.cfg.Path), s))
	default:
		cmds = append(cmds, m.paste.Focus())
	}
	if m.c.cfg.Notices != nil {
		cmds = append(cmds, waitNoticeCmd(m.c.cfg.Notices))
	}
	return tea.Batch(cmds...)
}

func (m *app) startLoad(name string, src har.Source, s settings) tea.Cmd {
	m.gen++
	m.name = name
	m.state = stateLoading
	m.closeCapture()
	m.cap = newCapture(m.c, name)
	// The rows keep what the list shows; their tabs read the entries
	// again from src, with the options the load reads them with.
	m.cap.store.src = newEntrySource(src, loadOptions(m.c.cfg.MaxValue))
	m.cap.SetSize(m.c.width, m.bodyHeight())
	m.overlay = overlayNone
	job := loadJob{setup: m.c.cfg.Setup, name: name, src: src, now: m.c.now(), text: s, prepare: m.c.cfg.Prepare, hookSecret: m.c.cfg.WebhookSecret, maxValue: m.c.cfg.MaxValue, store: m.cap.store}
	return loadCmd(m.ctx, m.gen, job)
}

// closeCapture drops the capture shown, closing the file its rows read
// their entries from.
func (m *app) closeCapture() {
	if m.cap != nil {
		m.cap.store.src.close()
	}
	m.cap = nil
}

// bodyHeight is what the header, the status lines and the help line leave.
func (m *app) bodyHeight() int { return max(1, m.c.height-2-m.statusH) }

func (m *app) setSize(w, h int) {
	m.c.width, m.c.height = w, h
	m.statusH = len(m.statusLines())
	m.help.SetWidth(w)
	m.paste.SetSize(w, m.bodyHeight())
	m.menu.SetSize(w, m.bodyHeight())
	if m.cap != nil {
		m.cap.SetSize(w, m.bodyHeight())
	}
	m.sizeOverlay()
}

// setStatus shows a message in the status line and keeps it in the log.
func (m *app) setStatus(s string) {
	m.status = s
	if s != "" {
		m.log = append(m.log, m.c.now().Format("15:04:05")+"  "+s)
	}
}

// statusLines is the status message wrapped to the width, at most
// maxStatusLines lines; a longer one says where the rest is.
func (m *app) statusLines() []string {
	w := m.c.width
	if m.status == "" || w <= 0 {
		return []string{""}
	}
	lines := strings.Split(wrap(safe(m.status), w), "\n")
	if len(lines) <= maxStatusLines {
		return lines
	}
	more := " … (m: the whole message)"
	if m.state == statePaste {
		more = " …"
	}
	lines = lines[:maxStatusLines]
	last := lines[maxStatusLines-1]
	lines[maxStatusLines-1] = ansi.Truncate(last, max(1, w-ansi.StringWidth(more)), "") + more
	return lines
}

// syncKeys enables only the bindings that do something now.
func (m *app) syncKeys() {
	k := &m.c.keys
	*k = defaultKeyMap()
	for _, b := range k.every() {
		b.SetEnabled(false)
	}
	k.Quit.SetEnabled(true)
	switch {
	case m.overlay == overlayMenu:
		m.menu.setEnabled(k)
		k.Quit.SetKeys("ctrl+c")
		k.Quit.SetHelp("ctrl+c", "quit")
	case m.overlay != overlayNone:
		k.Scroll.SetEnabled(true)
		k.CloseOverlay.SetEnabled(true)
		k.Up.SetEnabled(true)
		k.Down.SetEnabled(true)
		k.PageUp.SetEnabled(true)
		k.PageDown.SetEnabled(true)
		k.Quit.SetKeys("ctrl+c")
		k.Quit.SetHelp("ctrl+c", "quit")
	case m.state == statePaste:
		m.paste.setEnabled(k, m.cap != nil)
	case m.cap != nil:
		m.cap.setEnabled(k)
		k.Messages.SetEnabled(!m.cap.typing() && len(m.log) > 0)
	}
}

func (m *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	if n := len(m.statusLines()); n != m.statusH {
		m.setSize(m.c.width, m.c.height)
	}
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
		m.c.look++
		if m.cap != nil {
			return m.updateCapture(msg)
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
			m.setStatus("Nothing to read from the clipboard here: paste with your terminal's paste key instead.")
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
	case statusMsg:
		m.setStatus(msg.text)
		return nil
	case pathCheckedMsg:
		return m.onPathChecked(msg)
	case pathDetectedMsg:
		// Whatever has focus: the text it was asked for may still be there.
		return m.updatePaste(msg)
	case textCopiedMsg:
		if msg.err != nil {
			m.setStatus("Copy failed: " + msg.err.Error())
		} else {
			m.setStatus("Copied " + msg.what + " " + msg.how + ".")
		}
		return nil
	case reportWrittenMsg:
		if msg.err != nil {
			m.setStatus("Could not write the report: " + msg.err.Error())
		} else {
			m.setStatus("Wrote the redacted report to " + msg.path)
		}
		return nil
	case entryReadMsg:
		// Whatever has focus: the capture's tabs wait for it.
		if m.cap != nil {
			return m.updateCapture(msg)
		}
		return nil
	case bapiNoticeMsg:
		m.setStatus(msg.notice.String())
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
	switch m.paste.takeAction() {
	case actSubmit:
		return tea.Batch(cmd, m.submit())
	case actBack:
		if m.cap != nil {
			m.state = stateCapture
			if m.cap.isLoading() {
				m.state = stateLoading
			}
		}
	}
	return cmd
}

func (m *app) onPaste(s string) tea.Cmd {
	if m.state == stateCapture && m.cap != nil && m.cap.typing() {
		return m.updateCapture(tea.PasteMsg{Content: strings.ReplaceAll(s, "\n", " ")})
	}
	if m.state != statePaste {
		m.state = statePaste
		m.overlay = overlayNone
		m.paste.clear()
		return tea.Batch(m.paste.paste(s), m.paste.Focus())
	}
	return m.paste.paste(s)
}

func (m *app) onBatch(msg batchLoadedMsg) tea.Cmd {
	if msg.gen != m.gen || m.cap == nil {
		return nil
	}
	cmd := m.updateCapture(msg)
	n := m.cap.count()
	if n > 0 && m.state == stateLoading {
		m.state = stateCapture
	}
	if !msg.done {
		return tea.Batch(cmd, waitBatch(m.ch))
	}
	if n == 0 {
		m.state = statePaste
		if msg.err != nil {
			m.paste.showErr(msg.err.Error())
		} else {
			m.paste.showErr("the capture has no entries")
		}
		m.closeCapture()
		return m.paste.Focus()
	}
	if msg.err != nil {
		m.setStatus(msg.err.Error())
	} else {
		st := fmt.Sprintf("Read %d %s from %s.", n, plural(n, "request", "requests"), msg.name)
		if n := m.cap.hookCount(); n > 0 {
			st += fmt.Sprintf(" %d %s (WH).", n, plural(n, "webhook delivery", "webhook deliveries"))
		}
		if len(msg.notes) > 0 {
			st += " Note: " + strings.Join(msg.notes, "; ")
		}
		m.setStatus(st)
	}
	return cmd
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (m *app) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	switch m.overlay {
	case overlayHelp, overlayMessages:
		// A scroll key scrolls; any other closes.
		if !scrollKey(&m.ovp, k, msg) {
			m.overlay = overlayNone
		}
		return nil
	case overlayMenu:
		// Any key closes the menu; a choice also copies.
		m.overlay = overlayNone
		var cmd tea.Cmd
		m.menu, cmd = m.menu.Update(msg)
		return cmd
	}
	if m.state == statePaste {
		if key.Matches(msg, k.ReadClip) {
			return readClipboardCmd
		}
		return m.updatePaste(msg)
	}
	if m.cap == nil {
		return nil
	}
	if m.cap.typing() {
		return m.updateCapture(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.openOverlay(overlayHelp)
		return nil
	case key.Matches(msg, k.Messages):
		m.openOverlay(overlayMessages)
		return nil
	case key.Matches(msg, k.Copy):
		if r := m.cap.selected(); r != nil {
			m.menu.open(r, m.cap.reportInput())
			m.overlay = overlayMenu
		}
		return nil
	case key.Matches(msg, k.Report):
		m.setStatus("Writing the report…")
		return reportCmd(m.cap.reportInput(), m.c.cfg.ReportDir, m.c.now())
	case key.Matches(msg, k.NewPaste):
		m.state = statePaste
		return m.paste.Focus()
	}
	return m.updateCapture(msg)
}

// readClipboardCmd reads the local clipboard (ctrl+v on the paste screen).
func readClipboardCmd() tea.Msg {
	if clipboard.Unsupported {
		return clipboardReadMsg{err: fmt.Errorf("no local clipboard")}
	}
	t, err := clipboard.ReadAll()
	return clipboardReadMsg{text: t, err: err}
}

// submit inspects what was pasted or typed: a line that may be a path is
// looked up first (statPathCmd), anything else is judged as text.
func (m *app) submit() tea.Cmd {
	v := strings.TrimSpace(m.paste.value())
	if v == "" {
		m.paste.showErr("Nothing to inspect yet: paste a Cookie header, a cURL command, a JWT, or type a path.")
		return nil
	}
	s, err := m.paste.settings()
	if err != nil {
		m.paste.showErr(err.Error())
		return nil
	}
	in := pastedInput{typed: v, text: m.paste.value(), kind: m.paste.kind, settings: s}
	if !strings.ContainsAny(v, "\n;=") {
		return statPathCmd(in)
	}
	return m.submitText(in)
}

// pastedInput is what the paste screen submitted.
type pastedInput struct {
	typed    string // trimmed
	text     string
	kind     inspect.Kind
	settings settings
}

// pathCheckedMsg says whether a submitted line names a file or a folder.
type pathCheckedMsg struct {
	in    pastedInput
	path  string // the line with ~/ expanded
	found bool
	dir   bool
}

// statPathCmd looks the submitted line up as a path.
func statPathCmd(in pastedInput) tea.Cmd {
	return func() tea.Msg {
		p := expandHome(in.typed)
		st, err := os.Stat(p)
		return pathCheckedMsg{in: in, path: p, found: err == nil, dir: err == nil && st.IsDir()}
	}
}

// onPathChecked opens the file a submitted line names, says why it cannot,
// or judges the line as text.
func (m *app) onPathChecked(msg pathCheckedMsg) tea.Cmd {
	if m.state != statePaste {
		return nil
	}
	in := msg.in
	switch {
	case msg.dir:
		m.paste.showErr(in.typed + " is a folder: give a HAR or text file")
		return nil
	case msg.found:
		m.c.cfg.Path = msg.path
		m.paste.clear()
		return m.startLoad(filepath.Base(msg.path), fileOpener(msg.path), in.settings)
	case inspect.DetectKind(in.typed) == inspect.KindUnknown && looksLikePath(in.typed):
		m.paste.showErr("no such file: " + in.typed)
		return nil
	}
	return m.submitText(in)
}

// submitText judges submitted text as a pasted request.
func (m *app) submitText(in pastedInput) tea.Cmd {
	m.paste.showErr("")
	m.c.cfg.Path = ""
	return m.startLoad("pasted "+strings.ToLower(string(in.kind)), bytesOpener([]byte(in.text)), in.settings)
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
	if m.c.reveal && m.state != statePaste {
		// First, so that a narrow terminal never cuts it off.
		header += st.Err.Render("SECRETS SHOWN") + st.Muted.Render(" · ")
	}
	switch m.state {
	case statePaste:
		header += st.Text.Render("paste a request")
	default:
		header += st.Text.Render(safe(m.name))
		if m.cap != nil {
			if inst := m.cap.instance(); inst != nil && inst.FrontendAPI != "" {
				header += st.Muted.Render(" · " + safe(inst.Type+" "+inst.FrontendAPI))
			}
		}
	}
	header = ansi.Truncate(header, w, "…")
	var body string
	switch m.state {
	case statePaste:
		body = m.paste.View()
	default:
		if m.cap != nil {
			body = m.cap.View()
		}
	}
	switch m.overlay {
	case overlayMenu:
		body = lipgloss.Place(w, m.bodyHeight(), lipgloss.Center, lipgloss.Center, m.menu.View())
	case overlayHelp, overlayMessages:
		body = m.overlayView()
	}
	body = lipgloss.Place(w, m.bodyHeight(), lipgloss.Left, lipgloss.Top, body)
	var status []string
	for _, l := range m.statusLines() {
		status = append(status, st.Status.Render(l))
	}
	m.help.ShowAll = false
	var keys help.KeyMap = m.paste
	switch {
	case m.overlay == overlayMenu:
		keys = m.menu
	case m.overlay != overlayNone:
		keys = overlayKeys{m.c.keys}
	case m.state != statePaste && m.cap != nil:
		keys = m.cap
	}
	helpLine := m.help.View(keys)
	if (m.overlay == overlayHelp || m.overlay == overlayMessages) && !m.ovp.AtBottom() {
		helpLine = st.Muted.Render("more below · ") + helpLine
	}
	helpLine = ansi.Truncate(helpLine, w, "…")
	return header + "\n" + body + "\n" + strings.Join(status, "\n") + "\n" + helpLine
}
