package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/clerkscope/clerkscope/har"
)

// tab is a detail tab.
type tab int

const (
	tabVerdict tab = iota
	tabCookies
	tabToken
	tabTimeline
	tabBAPI
	tabRaw
	tabWebhook
	tabCount
)

func (t tab) String() string {
	return [...]string{"Verdict", "Cookies", "Token", "Timeline", "BAPI", "Raw", "Webhook"}[t]
}

// detailTab is one tab of the detail pane, a component in the shape of
// soft-serve's: it shows the selected row in its own scrolling viewport,
// takes the keys and messages that act on it, and names those keys.
type detailTab interface {
	help.KeyMap
	// SetSize sets the page's width and the viewport's height.
	SetSize(w, h int)
	// Show lays the page out for r (nil: no row selected) when anything
	// it depends on changed, at the top when r is not the row it showed
	// last or top is set.
	Show(r *row, top bool)
	// Update acts on msg; each tab is a pointer, which the capture
	// keeps. The pager's Update scrolls; a tab with state of its own
	// (BAPI, Timeline) has its own.
	Update(msg tea.Msg) tea.Cmd
	View() string
	// page is the tab's whole page for r in width w (the viewport shows
	// part of it).
	page(r *row, w int) string
	// setEnabled enables the bindings the tab acts on.
	setEnabled(k *keyMap)
	// needsEntry reports whether the page shows the row's entry, which
	// must be at hand (row.atHand) to lay it out.
	needsEntry() bool
}

// pager is what every tab shares: the common state, the row shown, and
// the viewport that scrolls the page.
type pager struct {
	c  *common
	r  *row
	vp viewport.Model
	// shown is what the page was laid out for (see layoutKey); stale
	// says that the tab's own state changed since.
	shown string
	stale bool
	// whole reports whether the tab shows tokens: then it says whether
	// they are folded or whole.
	whole  bool
	render func(r *row, w int) string
	// entry renders the tabs that show the row's entry (Verdict, Cookies,
	// Token, Raw), from the entry at hand (render is nil then).
	entry func(r *row, j *har.Judged, w int) string
}

func newPager(c *common, whole bool, render func(*row, int) string) pager {
	return pager{c: c, vp: viewport.New(), whole: whole, render: render}
}

// newEntryPager is the pager of a tab that shows the row's entry: until
// the entry is at hand its page is one line saying it is being read.
func newEntryPager(c *common, whole bool, entry func(*row, *har.Judged, int) string) pager {
	return pager{c: c, vp: viewport.New(), whole: whole, entry: entry}
}

// needsEntry implements detailTab.
func (p *pager) needsEntry() bool { return p.entry != nil }

// SetSize implements detailTab; the page is laid out again when it is
// next shown.
func (p *pager) SetSize(w, h int) {
	p.vp.SetWidth(w)
	p.vp.SetHeight(h)
}

// relayout marks the page for laying out again, where it is scrolled to,
// when it is next shown: the tab's own state changed (a lookup's result,
// the Timeline's cursor).
func (p *pager) relayout() { p.stale = true }

// Show implements detailTab. Another row, width or display setting
// starts the page at its top, as a tab shown anew does.
func (p *pager) Show(r *row, top bool) {
	key := p.layoutKey(r)
	if key == p.shown && !top && !p.stale {
		return
	}
	top = top || key != p.shown
	p.r, p.shown, p.stale = r, key, false
	p.setPage(p.page(r, p.vp.Width()), top)
}

// layoutKey names what every page depends on: the row, the width, the
// common display settings (secrets, folding, styles), and for a tab that
// shows the entry whether it is at hand.
func (p *pager) layoutKey(r *row) string {
	waiting := p.entry != nil && r != nil && r.atHand() == nil
	return fmt.Sprintf("%p|%d|%d|%t", r, p.vp.Width(), p.c.look, waiting)
}

// setPage puts a page in the viewport, keeping the scroll position unless
// top is set.
func (p *pager) setPage(s string, top bool) {
	y := p.vp.YOffset()
	p.vp.SetContent(s)
	if top {
		p.vp.GotoTop()
	} else {
		p.vp.SetYOffset(y)
	}
}

// page renders the tab for r with the word on folded tokens below.
func (p *pager) page(r *row, w int) string {
	if r == nil {
		return ""
	}
	p.c.folded = 0
	var content string
	if p.entry == nil {
		content = p.render(r, w)
	} else if j := r.atHand(); j != nil {
		content = p.entry(r, j, w)
	} else {
		return p.c.styles.Muted.Render(fmt.Sprintf("reading entry %d…", r.index))
	}
	return p.c.foldNote(content, p.whole, w)
}

// foldNote ends a page with how to expand its folded tokens, or how to
// fold them when they are shown whole (on the tabs that show tokens).
func (c *common) foldNote(content string, tokens bool, w int) string {
	e := c.keys.Expand.Help().Key
	switch {
	case c.folded > 0:
		return strings.TrimRight(content, "\n") + "\n\n" + c.styles.Muted.Render(wrap("Long tokens are folded to header.claims…: "+e+" shows them whole.", w))
	case c.expand && tokens:
		return strings.TrimRight(content, "\n") + "\n\n" + c.styles.Muted.Render(wrap("Tokens are shown whole: "+e+" folds them.", w))
	}
	return content
}

// scroll is the part of Update every tab shares: the scroll keys and the
// mouse wheel move the page.
// Update implements detailTab for the tabs whose keys only scroll.
func (p *pager) Update(msg tea.Msg) tea.Cmd { return p.scroll(msg) }

func (p *pager) scroll(msg tea.Msg) tea.Cmd {
	k := p.c.keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case scrollKey(&p.vp, k, msg):
		case key.Matches(msg, k.Top):
			p.vp.GotoTop()
		case key.Matches(msg, k.Bottom):
			p.vp.GotoBottom()
		}
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			p.vp.ScrollUp(3)
		case tea.MouseWheelDown:
			p.vp.ScrollDown(3)
		}
	}
	return nil
}

// scrollKey moves vp by a line or a page when msg is a scroll key (the
// tabs' and the help overlay's) and reports whether it was one.
func scrollKey(vp *viewport.Model, k keyMap, msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, k.Up):
		vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		vp.PageUp()
	case key.Matches(msg, k.PageDown):
		vp.PageDown()
	default:
		return false
	}
	return true
}

// View implements detailTab.
func (p *pager) View() string { return p.vp.View() }

// ShortHelp implements help.KeyMap: the scroll keys.
func (p *pager) ShortHelp() []key.Binding {
	k := p.c.keys
	return enabled(k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom)
}

// FullHelp implements help.KeyMap.
func (p *pager) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// setEnabled implements detailTab.
func (p *pager) setEnabled(k *keyMap) {
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(true)
	}
}

// tabOf is the component of tab t.
func (m *capture) tabOf(t tab) detailTab {
	switch t {
	case tabCookies:
		return m.cookies
	case tabToken:
		return m.token
	case tabTimeline:
		return m.timeline
	case tabBAPI:
		return m.bapi
	case tabRaw:
		return m.raw
	case tabWebhook:
		return m.webhook
	}
	return m.verdict
}

// active is the component of the tab on screen.
func (m *capture) active() detailTab { return m.tabOf(m.shownTab()) }

// refreshDetail shows the selected request in the tab on screen, laid
// out again when anything it depends on changed; a tab shown anew starts
// at its top. It never reads the file: while the selected row's entry is
// being read (readSelected), the tab on screen keeps the page it shows,
// so that moving through the list does not flicker (a read takes a
// millisecond or two), and a tab shown anew says that the entry is being
// read.
func (m *capture) refreshDetail() {
	t := m.shownTab()
	r, p := m.selected(), m.tabOf(t)
	if t == m.lastShown && r != nil && p.needsEntry() && r.atHand() == nil {
		return
	}
	p.Show(r, t != m.lastShown)
	m.lastShown = t
}

// entryReadMsg answers readEntryCmd: the row's judged entry, whole.
type entryReadMsg struct {
	row *row
	j   *har.Judged
}

// readEntryCmd reads r's entry again from the capture's file.
func readEntryCmd(r *row) tea.Cmd {
	return func() tea.Msg { return entryReadMsg{row: r, j: r.judged()} }
}

// readSelected is the command that reads the selected row's entry when
// it is not at hand and not being read already (nil: nothing to read).
func (m *capture) readSelected() tea.Cmd {
	r := m.selected()
	if r == nil || r == m.reading || r.atHand() != nil {
		return nil
	}
	m.reading = r
	return readEntryCmd(r)
}

// entryRead holds the entry read for the tabs while its row is selected;
// an answer for a row no longer selected is dropped (it is read again if
// the row is selected again).
func (m *capture) entryRead(msg entryReadMsg) {
	if msg.row == m.reading {
		m.reading = nil
	}
	if msg.row == m.selected() && !msg.row.whole {
		msg.row.kind.store.src.hold(msg.row, msg.j)
	}
}

// tabs are the tabs of the selected row: a webhook delivery has its own.
func (m *capture) tabs() []tab {
	if r := m.selected(); r != nil && r.hook() != nil {
		return []tab{tabWebhook, tabVerdict, tabTimeline, tabRaw}
	}
	return []tab{tabVerdict, tabCookies, tabToken, tabTimeline, tabBAPI, tabRaw}
}

// shownTab is the tab on screen: the row's first (its verdict: a
// request's Verdict, a delivery's Webhook) until a tab is chosen, then the
// one chosen, or the row's first when the row has no such tab (a request
// has no Webhook tab, a delivery no Cookies); the choice is kept for the
// next row that has it.
func (m *capture) shownTab() tab {
	ts := m.tabs()
	if !m.pinned {
		return ts[0]
	}
	for _, t := range ts {
		if t == m.tab {
			return t
		}
	}
	return ts[0]
}

// choose shows tab t from now on (for every row that has it).
func (m *capture) choose(t tab) { m.tab, m.pinned = t, true }

// stepTab shows the next (or previous) tab of the row.
func (m *capture) stepTab(n int) {
	ts := m.tabs()
	cur := m.shownTab()
	for i, t := range ts {
		if t == cur {
			m.choose(ts[(i+n+len(ts))%len(ts)])
			return
		}
	}
}

// tabLabels lays out the tab line in width w: each label with the chosen
// one marked ▸ (so it shows without colour), and the separator. Narrow
// panes keep the separators and drop the spaces.
func (m *capture) tabLabels(w int) ([]string, string) {
	ts := m.tabs()
	cur := m.shownTab()
	wide := make([]string, len(ts))
	n := 0
	for i, t := range ts {
		mark := " "
		if t == cur {
			mark = "▸"
		}
		wide[i] = mark + t.String()
		n += len([]rune(wide[i]))
	}
	if n+2*(len(ts)-1) <= w {
		return wide, " │"
	}
	narrow := make([]string, len(ts))
	for i, t := range ts {
		narrow[i] = t.String()
		if t == cur {
			narrow[i] = "▸" + narrow[i]
		}
	}
	return narrow, "│"
}

func (m *capture) clickTab(x int) {
	labels, sep := m.tabLabels(m.w - m.listWidth() - 2)
	sw := len([]rune(sep))
	pos := 0
	for i, t := range m.tabs() {
		w := len([]rune(labels[i]))
		if x >= pos && x < pos+w+sw {
			m.choose(t)
			return
		}
		pos += w + sw
	}
}

// detailView is the tab on screen, or what stands for it when no request
// is selected.
func (m *capture) detailView(w int) string {
	if m.selected() != nil || m.shownTab() == tabTimeline {
		return m.active().View()
	}
	st := m.c.styles
	if m.loading {
		return st.Muted.Render("Reading…")
	}
	k := m.c.keys
	return st.Muted.Render(wrap("No request matches. "+k.CancelWhileFiltering.Help().Key+" clears the filter; "+k.ClerkOnly.Help().Key+" shows every request.", max(10, w)))
}
