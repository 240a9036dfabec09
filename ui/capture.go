package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// pane is which side of the capture view has focus.
type pane int

const (
	paneList pane = iota
	paneDetail
)

func (p pane) String() string { return [...]string{"list", "detail"}[p] }

// captureOriginY is the screen row where the capture view starts (after
// the header line).
const captureOriginY = 1

// statusMsg is a message for the status line (and the message log).
type statusMsg struct{ text string }

// statusCmd says s in the status line.
func statusCmd(s string) tea.Cmd { return func() tea.Msg { return statusMsg{s} } }

// capture is the request list and the detail tabs of one input.
type capture struct {
	c        *common
	name     string
	rows     []*row
	store    *rowStore
	filtered []int
	// filteredFor is what filtered was computed for.
	filteredFor filterState
	cursor      int
	offset      int
	filter      textinput.Model
	filtering   bool
	query       string
	clerkOnly   bool
	focus       pane
	tab         tab
	story       *har.Story
	loading     bool
	read        int64
	total       int64
	prog        progress.Model
	diags       []har.Diagnosis
	bannerH     int
	// moved is set once the user chose a request, so that the end of
	// loading does not move the selection under them.
	moved bool
	err   error
	w, h  int
	// hooks are the capture's webhook deliveries (nil: none).
	hooks *webhook.Report
	// pinned is set once a tab was chosen: until then each row shows its
	// first tab.
	pinned bool

	// The detail tabs; lastShown is the tab the pane showed last (a tab
	// shown anew starts at its top).
	verdict   *verdictTab
	cookies   *cookiesTab
	token     *tokenTab
	timeline  *timelineTab
	bapi      *bapiTab
	raw       *rawTab
	webhook   *webhookTab
	lastShown tab
	// reading is the row whose entry readEntryCmd is reading (nil: none).
	reading *row
}

func newCapture(c *common, name string) *capture {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter: URL, status, reason…"
	cp := &capture{c: c, name: name, filter: ti, clerkOnly: true, loading: true, store: &rowStore{},
		prog:    progress.New(progress.WithDefaultBlend(), progress.WithWidth(30)),
		verdict: newVerdictTab(c), cookies: newCookiesTab(c), token: newTokenTab(c), timeline: newTimelineTab(c),
		bapi: newBAPITab(c), raw: newRawTab(c), webhook: newWebhookTab(c), lastShown: tabCount}
	return cp
}

// typing reports whether keys are text now (a filter is being typed).
func (m *capture) typing() bool { return m.filtering }

// isLoading reports whether the capture is still being read.
func (m *capture) isLoading() bool { return m.loading }

// count is how many requests the capture has.
func (m *capture) count() int { return len(m.rows) }

// instance is the instance the capture's first request was judged for
// (nil: not known yet).
func (m *capture) instance() *inspect.Instance {
	if len(m.rows) == 0 || m.rows[0].verdict() == nil {
		return nil
	}
	return &m.rows[0].verdict().Instance
}

// SetSize sets the body size.
func (m *capture) SetSize(w, h int) {
	m.w, m.h = w, h
	m.layout()
}

// layout sizes the panes under the diagnosis banner, whose height depends
// on the width and on what was diagnosed.
func (m *capture) layout() {
	m.bannerH = len(m.c.bannerLines(m.diags, m.loading, m.w))
	lw := m.listWidth()
	for t := tab(0); t < tabCount; t++ {
		m.tabOf(t).SetSize(max(10, m.w-lw-2), max(1, m.paneHeight()-3))
	}
	m.filter.SetWidth(max(8, lw-6))
	m.refreshDetail()
	m.clamp()
}

// paneHeight is the height of the list and detail panes, below the banner.
func (m *capture) paneHeight() int { return max(3, m.h-m.bannerH) }

// finish is called when the input is fully read. A capture's diagnosis
// is in its story; diags is a pasted request's.
func (m *capture) finish(story *har.Story, diags []har.Diagnosis, err error) {
	m.loading = false
	m.story = story
	m.err = err
	if story != nil {
		diags = story.Diagnosis
	}
	if hd := hookDiagnoses(m.hooks); len(hd) > 0 {
		diags = append(append([]har.Diagnosis(nil), diags...), hd...)
	}
	m.diags = diags
	m.timeline.setStory(story, diags)
	m.verdict.setDiagnoses(diags)
	// A capture where nothing is Clerk-relevant shows everything.
	if m.clerkOnly && len(m.filtered) == 0 && len(m.rows) > 0 {
		m.clerkOnly = false
		m.refilter(false)
	}
	if len(m.rows) == 1 {
		m.focus = paneDetail
	} else if i := firstProblem(diags); i >= 0 && story != nil && !m.moved && m.query == "" {
		// Lead with the diagnosis: its first request is selected.
		m.selectEntries(diags[i].Entries)
	}
	m.layout()
}

// setEnabled keeps help truthful for the capture view: while a filter is
// typed every letter is text, so only the filter's own keys are offered.
func (m *capture) setEnabled(k *keyMap) {
	if m.filtering {
		k.AcceptWhileFiltering.SetEnabled(true)
		k.CancelWhileFiltering.SetEnabled(true)
		k.CursorUpWhileFiltering.SetEnabled(true)
		k.CursorDownWhileFiltering.SetEnabled(true)
		k.Quit.SetKeys("ctrl+c")
		k.Quit.SetHelp("ctrl+c", "quit")
		return
	}
	r := m.selected()
	t := m.shownTab()
	k.Help.SetEnabled(true)
	k.Quit.SetEnabled(true)
	k.Filter.SetEnabled(true)
	k.ClerkOnly.SetEnabled(true)
	k.Lookup.SetEnabled(m.whyDisabled(k.Lookup, *k) == "")
	// enter opens the selected request from the list; the Timeline
	// makes it go to the chosen item's request (either pane).
	k.Open.SetEnabled(m.focus == paneList && r != nil)
	switch {
	case m.query != "":
		k.Back.SetHelp("esc", "clear filter")
		k.Back.SetEnabled(true)
	case m.focus == paneDetail && len(m.rows) > 1:
		k.Back.SetHelp("esc", "back to the list")
		k.Back.SetEnabled(true)
	}
	k.Timeline.SetEnabled(true)
	k.Copy.SetEnabled(r != nil)
	k.Report.SetEnabled(true)
	k.NextTab.SetEnabled(true)
	k.PrevTab.SetEnabled(true)
	k.NewPaste.SetEnabled(true)
	k.NextPane.SetEnabled(true)
	k.PrevPane.SetEnabled(true)
	k.Top.SetEnabled(true)
	k.Bottom.SetEnabled(true)
	k.Up.SetEnabled(true)
	k.Down.SetEnabled(true)
	k.PageUp.SetEnabled(true)
	k.PageDown.SetEnabled(true)
	k.Secrets.SetEnabled(true)
	k.Expand.SetEnabled(true)
	if m.c.expand {
		k.Expand.SetHelp("e", "fold tokens")
	} else {
		k.Expand.SetHelp("e", "tokens whole")
	}
	m.tabOf(t).setEnabled(k)
}

// whyDisabled says why a binding does nothing now ("" when it works, or
// when there is nothing worth saying).
func (m *capture) whyDisabled(b key.Binding, k keyMap) string {
	r := m.selected()
	switch b.Help().Key {
	case k.Lookup.Help().Key:
		switch {
		case m.c.cfg.Looker == nil:
			return "needs the instance's secret key: set CLERK_SECRET_KEY (sk_live_… or sk_test_…) and start clerkscope again"
		case r == nil:
			return "no request selected"
		case r.hook() != nil:
			return "a webhook delivery carries no session to look up"
		case r.verdict() == nil || r.verdict().Token == nil && r.verdict().Auth == nil:
			return "this request carries no session token"
		}
	case k.Copy.Help().Key:
		if r == nil {
			return "no request selected"
		}
	case k.Open.Help().Key:
		if m.shownTab() == tabTimeline {
			return "the chosen Timeline item names no request"
		}
		if m.focus == paneDetail {
			return "the request is open (" + k.NextPane.Help().Key + " or " + k.Back.Help().Key + " goes back to the list)"
		}
	case k.Messages.Help().Key:
		return "no message yet"
	}
	return ""
}

// addHooks marks the rows that are webhook deliveries (badge WH), which
// are always listed.
func (m *capture) addHooks(rep *webhook.Report) {
	m.hooks = rep
	if rep == nil {
		return
	}
	byEntry := map[int]*row{}
	var pasted []*row // a text input's rows: one per delivery, in order
	for _, r := range m.rows {
		if i, ok := r.entryIndex(); ok {
			byEntry[i] = r
		} else {
			pasted = append(pasted, r)
		}
	}
	for _, jd := range rep.Judged {
		if jd.Delivery.Source != webhook.SourceHAR {
			if jd.Position < len(pasted) {
				pasted[jd.Position].setHook(jd)
			}
			continue
		}
		if r := byEntry[jd.Delivery.Index]; r != nil {
			r.setHook(jd)
		}
	}
	m.webhook.setReport(rep)
	m.refilter(true)
}

// hookCount is how many rows are webhook deliveries.
func (m *capture) hookCount() int {
	n := 0
	for _, r := range m.rows {
		if r.hook() != nil {
			n++
		}
	}
	return n
}

// ShortHelp implements help.KeyMap for the capture view.
func (m *capture) ShortHelp() []key.Binding {
	k := m.c.keys
	if m.filtering {
		return k.filterHelp()
	}
	return enabled(k.Help, k.Quit, k.Back, k.Filter, k.Open, k.Timeline, k.NextTab, k.Copy, k.Lookup)
}

// FullHelp implements help.KeyMap for the capture view.
func (m *capture) FullHelp() [][]key.Binding { return m.c.keys.FullHelp() }

// Update handles the capture's keys and messages: the batches of a load,
// the mouse, and the keys of the list, the filter and the tabs.
func (m *capture) Update(msg tea.Msg) (*capture, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case batchLoadedMsg:
		m.read, m.total = msg.read, msg.total
		m.appendRows(msg.rows)
		if msg.done && len(m.rows) > 0 {
			m.addHooks(msg.hooks)
			m.finish(msg.story, msg.diagnosis, msg.err)
		}
	case entryReadMsg:
		m.entryRead(msg)
	case lookupDoneMsg, spinner.TickMsg:
		var cmd tea.Cmd
		cmd = m.bapi.Update(msg)
		cmds = append(cmds, cmd)
	case progress.FrameMsg:
		var cmd tea.Cmd
		m.prog, cmd = m.prog.Update(msg)
		cmds = append(cmds, cmd)
	case tea.MouseWheelMsg:
		mm := msg.Mouse()
		if mm.X < m.listWidth() {
			if mm.Button == tea.MouseWheelUp {
				m.move(-3)
			} else if mm.Button == tea.MouseWheelDown {
				m.move(3)
			}
		} else {
			cmd := m.active().Update(msg)
			cmds = append(cmds, cmd)
		}
	case tea.MouseClickMsg:
		mm := msg.Mouse()
		if mm.Button == tea.MouseLeft {
			if y := mm.Y - captureOriginY; y >= 0 && y < m.bannerH {
				m.openTimeline()
			} else if mm.X < m.listWidth() {
				line := mm.Y - captureOriginY - m.bannerH - 2
				if line >= 0 && m.offset+line < len(m.filtered) {
					m.cursor = m.offset + line
					m.moved = true
					m.focus = paneList
					m.clamp()
				}
			} else {
				m.focus = paneDetail
				if y := mm.Y - captureOriginY - m.bannerH - 1; y == 0 {
					m.clickTab(mm.X - m.listWidth() - 1)
				}
			}
		}
	case tea.KeyPressMsg:
		cmds = append(cmds, m.key(msg))
	}
	cmds = append(cmds, m.readSelected())
	m.refreshDetail()
	return m, tea.Batch(cmds...)
}

func (m *capture) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if m.filtering {
		return m.filterKey(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		// One level back: the filter, then the list; never the paste
		// screen (that is p).
		switch {
		case m.query != "":
			m.clearFilter()
		case m.focus == paneDetail && len(m.rows) > 1:
			m.focus = paneList
		}
	case key.Matches(msg, k.Secrets):
		m.c.reveal = !m.c.reveal
		m.c.look++
		if m.c.reveal {
			return statusCmd("Secrets shown: tokens and cookie values are visible. " + k.Secrets.Help().Key + " hides them.")
		}
		return statusCmd("Secrets hidden.")
	case key.Matches(msg, k.Expand):
		m.c.expand = !m.c.expand
		m.c.look++
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.focus = paneList
		return m.filter.Focus()
	case key.Matches(msg, k.ClerkOnly):
		m.clerkOnly = !m.clerkOnly
		m.refilter(true)
	case key.Matches(msg, k.NextTab):
		m.stepTab(1)
	case key.Matches(msg, k.PrevTab):
		m.stepTab(-1)
	case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
		if m.focus == paneList {
			m.focus = paneDetail
		} else {
			m.focus = paneList
		}
	case key.Matches(msg, k.Lookup):
		m.choose(tabBAPI)
		return m.bapi.lookup(m.selected())
	case key.Matches(msg, k.Timeline):
		m.openTimeline()
	case m.shownTab() == tabTimeline && key.Matches(msg, k.Open):
		if it := m.timeline.chosen(); it != nil {
			m.jumpTo(it.entries)
		}
	case m.focus == paneList:
		m.listKey(msg)
	default:
		cmd := m.active().Update(msg)
		return cmd
	}
	return nil
}

// openTimeline shows the Timeline with the chosen item in view.
func (m *capture) openTimeline() {
	m.choose(tabTimeline)
	m.focus = paneDetail
	m.refreshDetail()
	m.timeline.reveal()
}

// jumpTo selects the first of entries the list shows (every row is shown
// when the filter hides them all) and opens its verdict.
func (m *capture) jumpTo(entries []int) {
	if !m.selectEntries(entries) {
		return
	}
	m.moved = true
	m.focus = paneList
	m.tab, m.pinned = tabVerdict, false
}

// View draws the list and the detail panes in the body area.
func (m *capture) View() string {
	st := m.c.styles
	lw := m.listWidth()
	dw := m.w - lw
	lh := m.listHeight()
	ph := m.paneHeight()
	var list strings.Builder
	inner := lw - 2
	switch {
	case m.filtering || m.query != "":
		list.WriteString(ansi.Truncate(m.filter.View(), inner, "…"))
	case m.loading:
		pct := 0.0
		if m.total > 0 {
			pct = float64(m.read) / float64(m.total)
		}
		// The bar gives way to the count of rows read: it is what says
		// the list is still growing.
		count := " " + fmt.Sprint(len(m.rows))
		bar := m.prog
		bar.SetWidth(max(10, min(40, inner-ansi.StringWidth(count))))
		list.WriteString(ansi.Truncate(bar.ViewAs(pct)+count, inner, ""))
	default:
		scope := "all"
		if m.clerkOnly {
			scope = "Clerk-relevant"
		}
		head := fmt.Sprintf("%d of %d requests · %s", len(m.filtered), len(m.rows), scope)
		if ansi.StringWidth(head) > inner {
			head = fmt.Sprintf("%d of %d · %s", len(m.filtered), len(m.rows), scope)
		}
		list.WriteString(st.Muted.Render(ansi.Truncate(head, inner, "…")))
	}
	for i := 0; i < lh-1; i++ {
		list.WriteString("\n")
		fi := m.offset + i
		if fi >= len(m.filtered) {
			continue
		}
		r := m.rows[m.filtered[fi]]
		list.WriteString(m.c.renderRow(r, inner, fi == m.cursor))
	}
	lp, dp := st.Pane, st.Pane
	if m.focus == paneList {
		lp = st.PaneFocus
	} else {
		dp = st.PaneFocus
	}
	left := lp.Width(lw).Height(ph).Render(list.String())
	labels, sep := m.tabLabels(dw - 2)
	cur := m.shownTab()
	var tabs []string
	for i, t := range m.tabs() {
		if t == cur {
			tabs = append(tabs, st.TabActive.Render(labels[i]))
		} else {
			tabs = append(tabs, st.Tab.Render(labels[i]))
		}
	}
	tabLine := ansi.Truncate(strings.Join(tabs, st.Muted.Render(sep)), dw-2, "…")
	right := dp.Width(dw).Height(ph).Render(tabLine + "\n" + m.detailView(dw-2))
	banner := strings.Join(m.c.bannerLines(m.diags, m.loading, m.w), "\n")
	return banner + "\n" + joinH(left, right)
}

func joinH(left, right string) string { return lipgloss.JoinHorizontal(lipgloss.Top, left, right) }
