package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// overlayKeys is the help line under the help and the message log.
type overlayKeys struct{ k keyMap }

// ShortHelp implements help.KeyMap.
func (o overlayKeys) ShortHelp() []key.Binding {
	return enabled(o.k.Scroll, o.k.CloseOverlay, o.k.Quit)
}

// FullHelp implements help.KeyMap.
func (o overlayKeys) FullHelp() [][]key.Binding { return [][]key.Binding{o.ShortHelp()} }

// badges is the legend of the list's badges, in the order they are read.
var badges = [][2]string{
	{"IN", "signed in"},
	{"PND", "signed in, session pending a task: auth() reports signed out"},
	{"OUT", "signed out"},
	{"HS", "handshake: a 307 to Clerk's Frontend API for a fresh token"},
	{"ERR", "the SDK throws (HTTP 500), a configuration error"},
	{"FAPI", "a request to Clerk's Frontend API (not judged by the SDK)"},
	{"WH", "a webhook delivery (its Webhook tab says how verifyWebhook judges it)"},
}

// openOverlay shows the help or the message log, scrolled to its start
// (the log to its newest message).
func (m *app) openOverlay(o overlay) {
	m.overlay = o
	m.sizeOverlay()
	if o == overlayMessages {
		m.ovp.GotoBottom()
	} else {
		m.ovp.GotoTop()
	}
}

// sizeOverlay fits the overlay's viewport in the body and renders it.
func (m *app) sizeOverlay() {
	if m.overlay != overlayHelp && m.overlay != overlayMessages {
		return
	}
	w := max(20, m.c.width-4)
	m.ovp.SetWidth(w)
	m.ovp.SetHeight(max(1, m.bodyHeight()-2))
	y := m.ovp.YOffset()
	if m.overlay == overlayHelp {
		m.ovp.SetContent(m.helpText(w))
	} else {
		m.ovp.SetContent(m.messagesText(w))
	}
	m.ovp.SetYOffset(y)
}

// overlayView draws the help or the message log in a frame.
func (m *app) overlayView() string {
	st := m.c.styles
	frame := st.Menu.Width(m.c.width).Height(m.bodyHeight())
	return frame.Render(m.ovp.View())
}

// helpText is the full help: the keys that work here, those that do not
// and why, the mouse and the badges.
func (m *app) helpText(w int) string {
	st := m.c.styles
	var b strings.Builder
	line := func(k, desc string) {
		b.WriteString(hang(st.Key.Render(padRight(k, 12)), wrap(desc, w-12), strings.Repeat(" ", 12)) + "\n")
	}
	// The bindings as they are behind the help (syncKeys ran for the
	// screen before the help opened).
	k := m.screenKeys()
	b.WriteString(st.Title.Render("Keys here") + "\n")
	for _, group := range k.FullHelp() {
		for _, bd := range group {
			line(bd.Help().Key, bd.Help().Desc)
		}
	}
	line("ctrl+c", "quit, from anywhere")
	if m.state != statePaste && m.cap != nil {
		var off []string
		for _, bd := range k.all() {
			if !bd.Enabled() {
				if why := m.cap.whyDisabled(bd, k); why != "" {
					off = append(off, bd.Help().Key+"\x00"+bd.Help().Desc+": "+why)
				}
			}
		}
		if len(off) > 0 {
			b.WriteString("\n" + st.Title.Render("Not available now") + "\n")
			for _, o := range off {
				kk, d, _ := strings.Cut(o, "\x00")
				line(kk, d)
			}
		}
		b.WriteString("\n" + st.Title.Render("Mouse") + "\n")
		line("click", "a request selects it; a tab opens it; the diagnosis banner opens the Timeline")
		line("wheel", "scrolls the list or the detail, whichever is under the pointer")
		b.WriteString("\n" + st.Title.Render("Badges") + "\n")
		for _, bg := range badges {
			line(bg[0], bg[1])
		}
	} else {
		b.WriteString("\n" + wrap("Paste with your terminal's paste key (or ctrl+v where there is a clipboard). enter inspects; a path opens that file. The URL, page-or-fetch and clock fields say how a pasted request is judged: tab reaches them.", w) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// screenKeys is the keymap as the screen under an overlay has it.
func (m *app) screenKeys() keyMap {
	o := m.overlay
	m.overlay = overlayNone
	m.syncKeys()
	k := m.c.keys
	m.overlay = o
	m.syncKeys()
	return k
}

// messagesText is every status message of the run, oldest first, whole.
func (m *app) messagesText(w int) string {
	st := m.c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Messages") + "\n")
	if len(m.log) == 0 {
		b.WriteString(st.Muted.Render("none yet") + "\n")
	}
	for _, l := range m.log {
		at, text, _ := strings.Cut(l, "  ")
		b.WriteString(hang(st.Muted.Render(at)+"  ", wrap(safe(text), w-10), "          ") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func padRight(s string, n int) string {
	if w := lipgloss.Width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s + " "
}
