package ui

import (
	"fmt"
	"os"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"clerkscope/inspect"
)

// bigPaste is the size above which a paste is held aside instead of being
// typed into the text area, so a 64 KB HAR excerpt never makes typing lag.
const bigPaste = 4 << 10

// pasteScreen is where a Cookie header, cURL command, JWT or a path is
// pasted or typed.
type pasteScreen struct {
	c    *common
	ta   textarea.Model
	held string // a big paste, kept out of the text area
	kind inspect.Kind
	err  string
	w    int
}

func newPasteScreen(c *common) *pasteScreen {
	ta := textarea.New()
	ta.Placeholder = "Paste a Cookie header, document.cookie, Set-Cookie lines, a JWT, a cURL command,\ncookie-editor JSON, or type the path of a .har file."
	ta.ShowLineNumbers = false
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.Prompt = "│ "
	p := &pasteScreen{c: c, ta: ta}
	return p
}

func (p *pasteScreen) SetSize(w, h int) {
	p.w = w
	p.ta.SetWidth(max(20, w-2))
	p.ta.SetHeight(max(3, h-6))
}

func (p *pasteScreen) Focus() tea.Cmd { return p.ta.Focus() }

// value is what would be inspected.
func (p *pasteScreen) value() string {
	if p.held != "" {
		return p.held
	}
	return p.ta.Value()
}

func (p *pasteScreen) detect() {
	v := strings.TrimSpace(p.value())
	p.kind = inspect.DetectKind(v)
	if p.kind == inspect.KindUnknown && v != "" && !strings.ContainsAny(v, "\n=") {
		if st, err := os.Stat(v); err == nil && !st.IsDir() {
			p.kind = "file path"
		}
	}
}

// paste takes a bracketed paste: small ones go into the text area, big
// ones are held whole. A pasted newline never submits.
func (p *pasteScreen) paste(s string) tea.Cmd {
	p.err = ""
	if len(s) > bigPaste || p.held != "" {
		p.held += s
		p.ta.Reset()
		p.detect()
		return nil
	}
	p.ta.InsertString(s)
	p.detect()
	return nil
}

func (p *pasteScreen) clear() {
	p.held = ""
	p.ta.Reset()
	p.err = ""
	p.detect()
}

// ShortHelp implements help.KeyMap for the paste screen.
func (p *pasteScreen) ShortHelp() []key.Binding {
	k := p.c.keys
	return enabled(k.Submit, k.Newline, k.ReadClip, k.Back, k.Quit)
}

// FullHelp implements help.KeyMap for the paste screen.
func (p *pasteScreen) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

func (p *pasteScreen) Update(msg tea.Msg) (*pasteScreen, tea.Cmd) {
	if p.held != "" {
		if k, ok := msg.(tea.KeyPressMsg); ok && (k.String() == "backspace" || k.String() == "ctrl+u") {
			p.clear()
		}
		return p, nil
	}
	var cmd tea.Cmd
	p.ta, cmd = p.ta.Update(msg)
	p.detect()
	return p, cmd
}

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
	b.WriteString("\n" + st.Key.Render("Detected: ") + st.Info.Render(kind))
	if p.err != "" {
		b.WriteString("\n" + st.Err.Render(truncateW(safe(p.err), w)))
	}
	return b.String()
}
