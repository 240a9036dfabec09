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
	Expand    key.Binding
	Messages  key.Binding
	NewPaste  key.Binding

	// While typing a filter (bubbles' list names them so): every other
	// key is text. One help entry, CursorUpWhileFiltering's, stands for
	// both arrows.
	AcceptWhileFiltering     key.Binding
	CancelWhileFiltering     key.Binding
	CursorUpWhileFiltering   key.Binding
	CursorDownWhileFiltering key.Binding

	// The paste screen.
	Submit    key.Binding
	Newline   key.Binding
	ReadClip  key.Binding
	NextField key.Binding
	PrevField key.Binding
	Change    key.Binding

	// The help and the message log: the arrows and the page keys scroll
	// them (Up, Down, PageUp, PageDown); any other key closes them.
	Scroll       key.Binding
	CloseOverlay key.Binding

	// The copy menu: each choice is listed only when the row has it.
	CopyToken    key.Binding
	CopyClaims   key.Binding
	CopySub      key.Binding
	CopySID      key.Binding
	CopyOrg      key.Binding
	CopyCurl     key.Binding
	CopyDelivery key.Binding
	CopyReport   key.Binding
	CloseMenu    key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
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
		Expand:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "tokens whole/folded")),
		Messages:  key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "messages")),
		NewPaste:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "new paste")),

		AcceptWhileFiltering:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		CancelWhileFiltering:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		CursorUpWhileFiltering:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "move")),
		CursorDownWhileFiltering: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "move down")),

		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "inspect")),
		Newline:   key.NewBinding(key.WithKeys("ctrl+j", "alt+enter"), key.WithHelp("ctrl+j", "new line")),
		ReadClip:  key.NewBinding(key.WithKeys("ctrl+v"), key.WithHelp("ctrl+v", "paste clipboard")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev field")),
		Change:    key.NewBinding(key.WithKeys("space", "left", "right"), key.WithHelp("space/←/→", "change")),

		Scroll:       key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓ pgup/pgdn", "scroll")),
		CloseOverlay: key.NewBinding(key.WithKeys("esc"), key.WithHelp("any other key", "close")),

		CopyToken:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "the session token")),
		CopyClaims:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "the claims as JSON")),
		CopySub:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sub (the user id)")),
		CopySID:      key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "sid (the session id)")),
		CopyOrg:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "org_id")),
		CopyCurl:     key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "the request as cURL")),
		CopyDelivery: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "the delivery as raw HTTP")),
		CopyReport:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "the redacted report")),
		CloseMenu:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap.
func (k keyMap) ShortHelp() []key.Binding {
	return enabled(k.Help, k.Filter, k.Open, k.Timeline, k.NextTab, k.Copy, k.Lookup, k.Quit, k.Submit, k.ReadClip)
}

// FullHelp implements help.KeyMap: every binding that does something now.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		enabled(k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.NextPane, k.PrevPane, k.CursorUpWhileFiltering),
		enabled(k.Open, k.Timeline, k.PrevTab, k.NextTab, k.Back, k.Filter, k.AcceptWhileFiltering, k.CancelWhileFiltering, k.ClerkOnly, k.Expand, k.Lookup,
			k.Submit, k.Newline, k.NextField, k.PrevField, k.Change),
		enabled(k.Secrets, k.Copy, k.Report, k.NewPaste, k.ReadClip, k.Messages, k.Help, k.Quit),
	}
}

// copyChoices are the copy menu's bindings, in the menu's order.
func (k keyMap) copyChoices() []key.Binding {
	return []key.Binding{k.CopyToken, k.CopyClaims, k.CopySub, k.CopySID, k.CopyOrg, k.CopyDelivery, k.CopyCurl, k.CopyReport}
}

// filterHelp is the help while a filter is typed.
func (k keyMap) filterHelp() []key.Binding {
	return enabled(k.AcceptWhileFiltering, k.CancelWhileFiltering, k.CursorUpWhileFiltering, k.Quit)
}

// every is every binding of the keymap, for syncKeys to start from none.
func (k *keyMap) every() []*key.Binding {
	return []*key.Binding{&k.Help, &k.Quit, &k.Filter, &k.Back, &k.NextPane, &k.PrevPane, &k.Open, &k.Up, &k.Down, &k.Top, &k.Bottom,
		&k.PageUp, &k.PageDown, &k.PrevTab, &k.NextTab, &k.Timeline, &k.Copy, &k.Report, &k.Lookup, &k.Secrets, &k.ClerkOnly,
		&k.Expand, &k.Messages, &k.NewPaste, &k.AcceptWhileFiltering, &k.CancelWhileFiltering, &k.CursorUpWhileFiltering,
		&k.CursorDownWhileFiltering, &k.Submit, &k.Newline, &k.ReadClip, &k.NextField, &k.PrevField, &k.Change,
		&k.Scroll, &k.CloseOverlay, &k.CopyToken, &k.CopyClaims, &k.CopySub, &k.CopySID, &k.CopyOrg, &k.CopyCurl, &k.CopyDelivery, &k.CopyReport, &k.CloseMenu}
}

// all is every binding of the capture and paste screens, for the list of
// what is not available now.
func (k keyMap) all() []key.Binding {
	return []key.Binding{k.Open, k.Timeline, k.Filter, k.ClerkOnly, k.Expand, k.Lookup, k.Copy, k.Report, k.Secrets, k.NewPaste, k.Messages}
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
