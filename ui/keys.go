package ui

import "charm.land/bubbles/v2/key"

// keyMap is the dashboard's one keymap; bindings that do nothing in the
// current state are disabled so that help stays truthful.
type keyMap struct {
	Help      key.Binding
	Quit      key.Binding
	Filter    key.Binding
	Back      key.Binding
	NextPane  key.Binding
	PrevPane  key.Binding
	Open      key.Binding
	Up        key.Binding
	Down      key.Binding
	Top       key.Binding
	Bottom    key.Binding
	PageUp    key.Binding
	PageDown  key.Binding
	PrevTab   key.Binding
	NextTab   key.Binding
	Timeline  key.Binding
	Copy      key.Binding
	Report    key.Binding
	Lookup    key.Binding
	Secrets   key.Binding
	ClerkOnly key.Binding
	Submit    key.Binding
	Newline   key.Binding
	ReadClip  key.Binding
	NewPaste  key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back/clear")),
		NextPane:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev pane")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Up:        key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		PrevTab:   key.NewBinding(key.WithKeys("["), key.WithHelp("[", "prev tab")),
		NextTab:   key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next tab")),
		Timeline:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timeline")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy…")),
		Report:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "write report")),
		Lookup:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "look up (BAPI)")),
		Secrets:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show/hide secrets")),
		ClerkOnly: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "Clerk-relevant only")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "inspect")),
		Newline:   key.NewBinding(key.WithKeys("ctrl+j", "alt+enter"), key.WithHelp("ctrl+j", "new line")),
		ReadClip:  key.NewBinding(key.WithKeys("ctrl+v"), key.WithHelp("ctrl+v", "paste clipboard")),
		NewPaste:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "new paste")),
	}
}

// ShortHelp implements help.KeyMap.
func (k keyMap) ShortHelp() []key.Binding {
	return enabled(k.Help, k.Filter, k.Open, k.Timeline, k.NextTab, k.Copy, k.Lookup, k.Quit, k.Submit, k.ReadClip)
}

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		enabled(k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.NextPane, k.PrevPane),
		enabled(k.Open, k.Timeline, k.PrevTab, k.NextTab, k.Back, k.Filter, k.ClerkOnly, k.Lookup, k.Submit, k.Newline),
		enabled(k.Secrets, k.Copy, k.Report, k.NewPaste, k.ReadClip, k.Help, k.Quit),
	}
}

func enabled(bs ...key.Binding) []key.Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}
