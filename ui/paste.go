package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// bigPaste is the size above which a paste is held aside instead of being
// typed into the text area, so a 64 KB HAR excerpt never makes typing lag.
const bigPaste = 4 << 10

// pasteWait is how long an enter or tab typed in the paste box waits for
// the next key: a terminal without bracketed paste sends a pasted text as
// keys, all at once, so a key right behind it means the enter was a
// pasted newline (and the tab a pasted tab), not a command.
const pasteWait = 40 * time.Millisecond

// tabMark stands for a tab in the text area, which turns tabs into spaces
// (DevTools cookie-table rows are tab-separated); value reads it back.
const tabMark = "␉"

// pasteField is the part of the paste screen that has focus.
type pasteField int

const (
	fieldText pasteField = iota
	fieldURL
	fieldMode
	fieldClock
	fieldCount
)

func (f pasteField) String() string { return [...]string{"text", "URL", "as", "clock"}[f] }

// judgeMode is how a pasted request is judged: as its headers say, as a
// page load or as a fetch.
type judgeMode int

const (
	modeAuto judgeMode = iota
	modePage
	modeFetch
	modeCount
)

func (m judgeMode) String() string {
	return [...]string{"as the input says", "a page load", "a fetch"}[m]
}

// dest is the Sec-Fetch-Dest the mode sets ("" leaves the request's).
func (m judgeMode) dest() string { return [...]string{"", "document", "empty"}[m] }

// settings are the paste screen's choices: what a pasted request lacks
// (its URL, page or fetch) and the clock to judge at.
type settings struct {
	URL   string
	Mode  judgeMode
	Clock *time.Time
	// screen is set when they come from the paste screen: the notes
	// then name its fields instead of explain's flags.
	screen bool
}

// pasteControls name the paste screen's fields in a pasted request's
// notes.
var pasteControls = inspect.Controls{
	URL:     "the paste screen's URL field",
	AsFetch: "choose \"a fetch\" in the paste screen's as field",
	AsPage:  "choose \"a page load\" in the paste screen's as field",
	Clock:   "the paste screen's clock field",
}

// pasteAction is what the paste screen asks of the root after a key: to
// inspect what it holds, or to go back to the capture behind it (esc with
// nothing left to clear). The root takes it right after the key, so that
// nothing waits on a message.
type pasteAction int

const (
	actNone pasteAction = iota
	actSubmit
	actBack
)

func (a pasteAction) String() string { return [...]string{"none", "submit", "back"}[a] }

// pasteDueMsg ends the wait of a held enter or tab (see pasteWait).
type pasteDueMsg struct{ seq int }

// pasteScreen is where a Cookie header, cURL command, JWT or a path is
// pasted or typed, with the URL, page-or-fetch and clock to judge it with.
type pasteScreen struct {
	c     *common
	ta    textarea.Model
	url   textinput.Model
	clock textinput.Model
	mode  judgeMode
	focus pasteField
	held  string // a big paste, kept out of the text area
	kind  inspect.Kind
	err   string
	// pending is an enter or tab typed in the text box, held until the
	// next key or its pasteDueMsg (seq) says what it was.
	pending string
	seq     int
	action  pasteAction
	w       int
}

func newPasteScreen(c *common) *pasteScreen {
	ta := textarea.New()
	ta.Placeholder = "Paste a Cookie header, document.cookie, Set-Cookie lines, a JWT, a cURL command, cookie-editor JSON, a webhook delivery, or type the path of a .har file."
	ta.ShowLineNumbers = false
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.Prompt = "│ "
	u := textinput.New()
	u.Prompt = ""
	u.Placeholder = "(empty: the token's azp, else https://app.invalid/)"
	u.SetValue(c.cfg.URL)
	ck := textinput.New()
	ck.Prompt = ""
	ck.Placeholder = "(empty: auto, the capture's times, a Date line, else now)"
	if n := c.cfg.Setup; n != nil && n.Now != nil {
		ck.SetValue(n.Now.UTC().Format(time.RFC3339))
	}
	p := &pasteScreen{c: c, ta: ta, url: u, clock: ck}
	switch strings.ToLower(c.cfg.Dest) {
	case "":
	case "document":
		p.mode = modePage
	default:
		p.mode = modeFetch
	}
	return p
}

// SetSize sets the body size.
func (p *pasteScreen) SetSize(w, h int) {
	p.w = w
	p.ta.SetWidth(max(20, w-2))
	p.ta.SetHeight(max(3, h-11))
	p.url.SetWidth(max(10, w-12))
	p.clock.SetWidth(max(10, w-12))
}

// Focus focuses the paste box.
func (p *pasteScreen) Focus() tea.Cmd { return p.focusField(fieldText) }

func (p *pasteScreen) focusField(f pasteField) tea.Cmd {
	p.focus = f
	p.ta.Blur()
	p.url.Blur()
	p.clock.Blur()
	switch f {
	case fieldText:
		return p.ta.Focus()
	case fieldURL:
		return p.url.Focus()
	case fieldClock:
		return p.clock.Focus()
	}
	return nil
}

// typing reports whether keys are text now (q is a letter, not quit).
func (p *pasteScreen) typing() bool { return p.focus != fieldMode }

// value is what would be inspected.
func (p *pasteScreen) value() string {
	if p.held != "" {
		return p.held
	}
	return strings.ReplaceAll(p.ta.Value(), tabMark, "\t")
}

// settings reads the fields: an unreadable clock is an error.
func (p *pasteScreen) settings() (settings, error) {
	s := settings{URL: strings.TrimSpace(p.url.Value()), Mode: p.mode, screen: true}
	if v := strings.TrimSpace(p.clock.Value()); v != "" && !strings.EqualFold(v, "auto") {
		t, err := p.c.parseTime(v)
		if err != nil {
			return s, fmt.Errorf("clock %q: %v", v, err)
		}
		s.Clock = &t
	}
	if s.URL != "" && !strings.Contains(s.URL, "://") {
		return s, fmt.Errorf("URL %q: give a full URL, such as https://app.example.com/dashboard", s.URL)
	}
	return s, nil
}

// detect names what the text is. What the text itself tells is set at
// once; whether a line is a file takes an os.Stat, which runs in a command
// (detectPathCmd) so that typing never waits on the disk. Until its answer
// comes, the screen keeps the kind it showed, so the line does not flicker
// as a path is typed.
func (p *pasteScreen) detect() tea.Cmd {
	v := strings.TrimSpace(p.value())
	if ds := webhook.Detect([]byte(v)); ds != nil {
		// It opens as deliveries, as clerkscope webhook reads them.
		p.kind = "webhook delivery"
		if len(ds) > 1 {
			p.kind = inspect.Kind(fmt.Sprintf("%d webhook deliveries", len(ds)))
		}
		return nil
	}
	kind := inspect.DetectKind(v)
	if kind == inspect.KindUnknown && v != "" && !strings.ContainsAny(v, "\n=") {
		return detectPathCmd(v)
	}
	p.kind = kind
	return nil
}

// pathDetectedMsg is what detectPathCmd found of a line: a file, a path
// to nothing, or neither (KindUnknown).
type pathDetectedMsg struct {
	text string // the trimmed text it was asked for
	kind inspect.Kind
}

// detectPathCmd looks a typed line up as a path.
func detectPathCmd(v string) tea.Cmd {
	return func() tea.Msg {
		kind := inspect.KindUnknown
		if st, err := os.Stat(expandHome(v)); err == nil && !st.IsDir() {
			kind = "file path"
		} else if looksLikePath(v) {
			kind = "a path: no such file"
		}
		return pathDetectedMsg{text: v, kind: kind}
	}
}

// onPathDetected takes detectPathCmd's answer, unless the text has changed
// since it was asked (the answer to the text as it is now is on its way).
func (p *pasteScreen) onPathDetected(msg pathDetectedMsg) {
	if msg.text == strings.TrimSpace(p.value()) {
		p.kind = msg.kind
	}
}

// showErr shows a line under the fields: why the last submit or load
// failed ("" takes it away).
func (p *pasteScreen) showErr(s string) { p.err = s }

// looksLikePath reports whether one typed line is meant as a file name.
func looksLikePath(v string) bool {
	if strings.ContainsAny(v, "/\\") || strings.HasPrefix(v, "~") || strings.HasPrefix(v, ".") {
		return true
	}
	l := strings.ToLower(v)
	for _, ext := range []string{".har", ".har.gz", ".json", ".txt", ".http", ".ndjson"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}

// expandHome reads ~/ as the home folder.
func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}

// paste takes a bracketed paste: small ones go into the text area, big
// ones are held whole. A pasted newline never submits. A paste into the
// URL or clock field goes there, on one line.
func (p *pasteScreen) paste(s string) tea.Cmd {
	p.err = ""
	p.flushPending()
	switch p.focus {
	case fieldURL:
		p.url.SetValue(p.url.Value() + strings.TrimSpace(strings.ReplaceAll(s, "\n", "")))
		return nil
	case fieldClock:
		p.clock.SetValue(p.clock.Value() + strings.TrimSpace(strings.ReplaceAll(s, "\n", "")))
		return nil
	case fieldMode:
		p.focusField(fieldText)
	}
	// A webhook delivery is held whole too: its signature covers the
	// body's exact bytes, which the text area would not keep.
	d, hook := asDelivery(s)
	if hook {
		s = d
	}
	if len(s) > bigPaste || p.held != "" || hook {
		p.held += s
		p.ta.Reset()
		return p.detect()
	}
	// The text area makes two lines of a CRLF.
	p.ta.InsertString(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\t", tabMark))
	return p.detect()
}

// asDelivery is a paste read as webhook deliveries, when it is some: as
// pasted, or — when its lines end in CR alone, as a terminal sends a
// paste — with each CR read as a newline, or each CR pair (what the CRLF
// of a raw request becomes) as one.
func asDelivery(s string) (string, bool) {
	tries := []string{s}
	if strings.Contains(s, "\r") && !strings.Contains(s, "\n") {
		tries = append(tries, strings.ReplaceAll(s, "\r", "\n"), strings.ReplaceAll(strings.ReplaceAll(s, "\r\r", "\n"), "\r", "\n"))
	}
	for _, t := range tries {
		if webhook.Detect([]byte(t)) != nil {
			return t, true
		}
	}
	return s, false
}

func (p *pasteScreen) clear() {
	p.held = ""
	p.pending = ""
	p.ta.Reset()
	p.err = ""
	p.kind = inspect.KindUnknown // what detect makes of no text
}

// flushPending types a held enter or tab as the text it was.
func (p *pasteScreen) flushPending() {
	switch p.pending {
	case "enter":
		p.insert("\n")
	case "tab":
		p.insert("\t")
	}
	p.pending = ""
}

func (p *pasteScreen) insert(s string) {
	if p.held != "" {
		p.held += s
		return
	}
	p.ta.InsertString(strings.ReplaceAll(s, "\t", tabMark))
}

// hold keeps an enter or tab until the next key says what it was (with
// no wait, it is a command at once).
func (p *pasteScreen) hold(k string) tea.Cmd {
	p.seq++
	if p.c.pasteWait <= 0 {
		return p.due(k)
	}
	p.pending = k
	seq := p.seq
	return tea.Tick(p.c.pasteWait, func(time.Time) tea.Msg { return pasteDueMsg{seq} })
}

// due carries out a held enter (inspect) or tab (to the URL field).
func (p *pasteScreen) due(k string) tea.Cmd {
	if k == "tab" {
		return p.focusField(fieldURL)
	}
	p.action = actSubmit
	return nil
}

// takeAction is what the last message asked of the root, once.
func (p *pasteScreen) takeAction() pasteAction {
	a := p.action
	p.action = actNone
	return a
}

// setEnabled keeps help truthful for the paste screen.
func (p *pasteScreen) setEnabled(k *keyMap, hasCapture bool) {
	text := p.focus == fieldText
	k.Submit.SetEnabled(true)
	k.Newline.SetEnabled(text && p.held == "")
	k.ReadClip.SetEnabled(text)
	k.NextField.SetEnabled(true)
	k.PrevField.SetEnabled(true)
	k.Change.SetEnabled(p.focus == fieldMode)
	switch {
	case !text:
		k.Back.SetHelp("esc", "back to the text")
	case p.value() != "":
		k.Back.SetHelp("esc", "clear")
	default:
		k.Back.SetHelp("esc", "back to the capture")
	}
	k.Back.SetEnabled(!text || p.value() != "" || hasCapture)
	if p.typing() {
		k.Quit.SetKeys("ctrl+c")
		k.Quit.SetHelp("ctrl+c", "quit")
	} else {
		k.Quit.SetKeys("q", "ctrl+c")
		k.Quit.SetHelp("q", "quit")
	}
}

// ShortHelp implements help.KeyMap for the paste screen.
func (p *pasteScreen) ShortHelp() []key.Binding {
	k := p.c.keys
	return enabled(k.Submit, k.Newline, k.ReadClip, k.Change, k.NextField, k.Back, k.Quit)
}

// FullHelp implements help.KeyMap for the paste screen.
func (p *pasteScreen) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// Update handles the paste screen's keys: the text box, the fields, and
// the wait that tells a typed enter from a pasted newline.
func (p *pasteScreen) Update(msg tea.Msg) (*pasteScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case pasteDueMsg:
		if msg.seq != p.seq || p.pending == "" {
			return p, nil
		}
		k := p.pending
		p.pending = ""
		return p, p.due(k)
	case pathDetectedMsg:
		p.onPathDetected(msg)
		return p, nil
	case tea.KeyPressMsg:
		return p, p.key(msg)
	}
	return p, p.forward(msg)
}

func (p *pasteScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.keys
	if p.focus == fieldText {
		// A key behind a held enter or tab: they were pasted together.
		p.flushPending()
		switch {
		case key.Matches(msg, k.Submit):
			return p.hold("enter")
		case key.Matches(msg, k.NextField):
			return p.hold("tab")
		case key.Matches(msg, k.PrevField):
			return p.focusField(fieldClock)
		case key.Matches(msg, k.Newline):
			p.insert("\n")
			return p.detect()
		case key.Matches(msg, k.Back):
			if p.value() != "" {
				p.clear()
				return nil
			}
			p.action = actBack
			return nil
		}
		if p.held != "" {
			if s := msg.String(); s == "backspace" || s == "ctrl+u" {
				p.clear()
			}
			return nil
		}
		return p.forward(msg)
	}
	switch {
	case key.Matches(msg, k.Submit):
		p.action = actSubmit
		return nil
	case key.Matches(msg, k.NextField):
		return p.focusField((p.focus + 1) % fieldCount)
	case key.Matches(msg, k.PrevField):
		return p.focusField((p.focus + fieldCount - 1) % fieldCount)
	case key.Matches(msg, k.Back):
		return p.focusField(fieldText)
	case p.focus == fieldMode && key.Matches(msg, k.Quit):
		return tea.Quit
	case p.focus == fieldMode && key.Matches(msg, k.Change):
		if msg.String() == "left" {
			p.mode = (p.mode + modeCount - 1) % modeCount
		} else {
			p.mode = (p.mode + 1) % modeCount
		}
		return nil
	}
	return p.forward(msg)
}

// forward gives a message to the focused field.
func (p *pasteScreen) forward(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch p.focus {
	case fieldText:
		if p.held != "" {
			return nil
		}
		p.ta, cmd = p.ta.Update(msg)
		cmd = tea.Batch(cmd, p.detect())
	case fieldURL:
		p.url, cmd = p.url.Update(msg)
	case fieldClock:
		p.clock, cmd = p.clock.Update(msg)
	}
	return cmd
}

// View draws the paste box, what was detected, the fields and the error.
func (p *pasteScreen) View() string {
	w := p.w
	st := p.c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render("What does Clerk's SDK make of this request?") + "\n\n")
	if p.held != "" {
		lines := strings.Count(p.held, "\n") + 1
		b.WriteString(st.Value.Render(fmt.Sprintf("│ %.1f KB pasted (%d lines): %s", float64(len(p.held))/1024, lines, p.kind)) + "\n")
		b.WriteString(st.Muted.Render("│ enter inspects it · backspace clears it") + "\n")
	} else {
		// The text area drops C0 and C1 controls from a paste, not bidi ones.
		b.WriteString(inspect.EscapeBidi(p.ta.View()) + "\n")
	}
	kind := "nothing yet"
	if p.kind != inspect.KindUnknown {
		kind = string(p.kind)
	} else if strings.TrimSpace(p.value()) != "" {
		kind = "not recognised yet"
	}
	b.WriteString("\n" + st.Key.Render("Detected: ") + st.Info.Render(kind) + "\n\n")
	b.WriteString(st.Muted.Render(truncateW("Judge it with (tab moves between the fields):", w)) + "\n")
	b.WriteString(p.fieldLine(fieldURL, p.url.View()) + "\n")
	var modes []string
	for md := judgeMode(0); md < modeCount; md++ {
		if md == p.mode {
			modes = append(modes, st.TabActive.Render("["+md.String()+"]"))
		} else {
			modes = append(modes, st.Tab.Render(" "+md.String()+" "))
		}
	}
	b.WriteString(p.fieldLine(fieldMode, truncateW(strings.Join(modes, " "), w-10)) + "\n")
	b.WriteString(p.fieldLine(fieldClock, p.clock.View()))
	if p.err != "" {
		b.WriteString("\n" + st.Err.Render(wrap(safe(p.err), max(10, w))))
	}
	return b.String()
}

// fieldLine is a field's label (marked ▸ when focused, so it shows
// without colour) and its input.
func (p *pasteScreen) fieldLine(f pasteField, input string) string {
	st := p.c.styles
	mark := "  "
	label := st.Key.Render(fmt.Sprintf("%-6s", f))
	if p.focus == f {
		mark = st.Cursor.Render("▸ ")
		label = st.Heading.Render(fmt.Sprintf("%-6s", f))
	}
	return mark + label + " " + input
}
