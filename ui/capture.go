package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"clerkscope/bapi"
	"clerkscope/har"
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

// lookupDoneMsg is a finished Backend API lookup.
type lookupDoneMsg struct {
	row *row
	res *bapi.Lookup
	err error
}

// capture is the request list and the detail tabs of one input.
type capture struct {
	c         *common
	name      string
	rows      []*row
	filtered  []int
	cursor    int
	offset    int
	filter    textinput.Model
	filtering bool
	query     string
	clerkOnly bool
	focus     pane
	tab       tab
	vp        viewport.Model
	story     *har.Story
	loading   bool
	read      int64
	total     int64
	prog      progress.Model
	spin      spinner.Model
	lookups   map[*row]*lookupState
	diags     []har.Diagnosis
	bannerH   int
	tl        []tlItem
	tlCursor  int
	tlSpans   []tlSpan
	// moved is set once the user chose a request, so that the end of
	// loading does not move the selection under them.
	moved    bool
	err      error
	w, h     int
	shownKey string
}

func newCapture(c *common, name string) *capture {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter: URL, status, reason…"
	cp := &capture{c: c, name: name, filter: ti, clerkOnly: true, loading: true, lookups: map[*row]*lookupState{},
		prog: progress.New(progress.WithDefaultBlend(), progress.WithWidth(30)), spin: spinner.New(spinner.WithSpinner(spinner.Dot)),
		vp: viewport.New()}
	return cp
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
	m.vp.SetWidth(max(10, m.w-lw-2))
	m.vp.SetHeight(max(1, m.paneHeight()-3))
	m.filter.SetWidth(max(8, lw-6))
	m.prog.SetWidth(max(10, min(40, lw-4)))
	m.shownKey = ""
	m.refreshDetail()
	m.clamp()
}

// paneHeight is the height of the list and detail panes, below the banner.
func (m *capture) paneHeight() int { return max(3, m.h-m.bannerH) }

func (m *capture) listWidth() int {
	lw := m.w * 2 / 5
	if lw < 34 {
		lw = 34
	}
	if lw > 64 {
		lw = 64
	}
	if m.w-lw < 30 {
		lw = max(20, m.w-30)
	}
	return lw
}

func (m *capture) listHeight() int { return max(1, m.paneHeight()-2) }

// addRows appends judged entries as they stream in.
func (m *capture) addRows(js []*har.Judged) {
	for _, j := range js {
		m.rows = append(m.rows, newRow(j))
	}
	m.refilter(false)
}

// finish is called when the input is fully read. A capture's diagnosis
// is in its story; diags is a pasted request's.
func (m *capture) finish(story *har.Story, diags []har.Diagnosis, err error) {
	m.loading = false
	m.story = story
	m.err = err
	if story != nil {
		diags = story.Diagnosis
	}
	m.diags = diags
	m.tl = timelineItems(story, diags)
	m.tlCursor = max(0, leadDiagnosis(diags))
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

func (m *capture) refilter(keepSelection bool) {
	var sel *row
	if keepSelection {
		sel = m.selected()
	}
	m.filtered = filterRows(m.rows, strings.ToLower(m.query), m.clerkOnly)
	if sel != nil {
		for i, idx := range m.filtered {
			if m.rows[idx] == sel {
				m.cursor = i
			}
		}
	}
	m.clamp()
}

func (m *capture) clamp() {
	if m.cursor >= len(m.filtered) {
		m.cursor = len(m.filtered) - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	lh := m.listHeight() - 1
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+lh {
		m.offset = m.cursor - lh + 1
	}
	if m.offset < 0 {
		m.offset = 0
	}
}

func (m *capture) selected() *row {
	if m.cursor < 0 || m.cursor >= len(m.filtered) {
		return nil
	}
	return m.rows[m.filtered[m.cursor]]
}

// refreshDetail renders the selected request's tab into the viewport when
// anything it depends on changed.
func (m *capture) refreshDetail() {
	r := m.selected()
	ls := m.lookups[r]
	// The timeline is the same whichever request is selected.
	page := fmt.Sprintf("%p|%d|", r, m.tab)
	if m.tab == tabTimeline {
		page = fmt.Sprintf("timeline|%d|", m.tab)
	}
	key := page + fmt.Sprintf("%d|%v|%p|%v|%d|%v", m.vp.Width(), m.c.reveal, ls, ls != nil && ls.loading, m.tlCursor, m.loading)
	if ls != nil && ls.loading {
		key += m.spin.View()
	}
	if key == m.shownKey {
		return
	}
	sameRow := strings.HasPrefix(m.shownKey, page)
	m.shownKey = key
	w := m.vp.Width()
	var content string
	switch {
	case m.tab == tabTimeline:
		content, m.tlSpans = m.c.timelineTab(m.story, m.tl, m.tlCursor, m.loading, w)
	case r == nil:
		if m.loading {
			content = m.c.styles.Muted.Render("Reading…")
		} else {
			content = m.c.styles.Muted.Render("No request matches. esc clears the filter; c shows every request.")
		}
	case m.tab == tabVerdict:
		content = m.c.verdictTab(r, w)
	case m.tab == tabCookies:
		content = m.c.cookiesTab(r, w)
	case m.tab == tabToken:
		content = m.c.tokenTab(r, w)
	case m.tab == tabBAPI:
		content = m.c.bapiTab(r, ls, m.spin.View(), w)
	case m.tab == tabRaw:
		content = m.c.rawTab(r, w)
	}
	y := m.vp.YOffset()
	m.vp.SetContent(content)
	if sameRow {
		m.vp.SetYOffset(y)
	} else {
		m.vp.GotoTop()
	}
}

// setEnabled keeps help truthful for the capture view.
func (m *capture) setEnabled(k *keyMap) {
	k.Filter.SetEnabled(!m.filtering)
	k.ClerkOnly.SetEnabled(!m.filtering)
	k.Lookup.SetEnabled(m.c.cfg.Looker != nil && !m.filtering)
	// enter opens the selected request from the list, and goes to the
	// chosen item's request from the Timeline (either pane).
	if m.tab == tabTimeline {
		k.Open.SetHelp("enter", "go to request")
		it := m.tlChosen()
		k.Open.SetEnabled(!m.filtering && it != nil && len(it.entries) > 0)
	} else {
		k.Open.SetHelp("enter", "open")
		k.Open.SetEnabled(!m.filtering && m.focus == paneList && m.selected() != nil)
	}
	k.Timeline.SetEnabled(!m.filtering)
	k.Copy.SetEnabled(!m.filtering && m.selected() != nil)
	k.Report.SetEnabled(!m.filtering)
	k.NextTab.SetEnabled(!m.filtering)
	k.PrevTab.SetEnabled(!m.filtering)
	k.Submit.SetEnabled(false)
	k.Newline.SetEnabled(false)
	k.ReadClip.SetEnabled(false)
	k.NewPaste.SetEnabled(!m.filtering)
	k.NextPane.SetEnabled(true)
	k.PrevPane.SetEnabled(true)
	k.Top.SetEnabled(!m.filtering)
	k.Bottom.SetEnabled(!m.filtering)
	k.Up.SetEnabled(true)
	k.Down.SetEnabled(true)
	k.Secrets.SetEnabled(!m.filtering)
}

// lookupCmd runs a Backend API lookup for a row.
func lookupCmd(ctx context.Context, l *bapi.Looker, r *row) tea.Cmd {
	return func() tea.Msg {
		res := l.ForAuth(ctx, r.j.Result.Verdict, r.j.Result.At)
		return lookupDoneMsg{row: r, res: res}
	}
}

// ShortHelp implements help.KeyMap for the capture view.
func (m *capture) ShortHelp() []key.Binding {
	k := m.c.keys
	return enabled(k.Help, k.Filter, k.Open, k.Timeline, k.NextTab, k.Copy, k.Lookup, k.Quit)
}

// FullHelp implements help.KeyMap for the capture view.
func (m *capture) FullHelp() [][]key.Binding { return m.c.keys.FullHelp() }

// Update handles the capture's keys and messages.
func (m *capture) Update(msg tea.Msg) (*capture, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case lookupDoneMsg:
		m.lookups[msg.row] = &lookupState{result: msg.res, err: msg.err}
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		if m.anyLookupLoading() {
			cmds = append(cmds, cmd)
		}
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
		} else if mm.Button == tea.MouseWheelUp {
			m.vp.ScrollUp(3)
		} else if mm.Button == tea.MouseWheelDown {
			m.vp.ScrollDown(3)
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
	m.refreshDetail()
	return m, tea.Batch(cmds...)
}

func (m *capture) anyLookupLoading() bool {
	for _, l := range m.lookups {
		if l.loading {
			return true
		}
	}
	return false
}

// tabSep separates tab labels: roomy when the detail pane is wide.
func (m *capture) tabSep() string {
	if m.w-m.listWidth() < 60 {
		return ""
	}
	return " │"
}

func (m *capture) clickTab(x int) {
	pos := 0
	sep := len([]rune(m.tabSep()))
	for t := tab(0); t < tabCount; t++ {
		w := len(t.String()) + 1
		if x >= pos && x < pos+w+sep {
			m.tab = t
			return
		}
		pos += w + sep
	}
}

func (m *capture) move(n int) {
	m.cursor += n
	m.moved = true
	m.clamp()
}

func (m *capture) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if m.filtering {
		switch msg.String() {
		case "enter":
			m.filtering = false
			m.filter.Blur()
			return nil
		case "esc":
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.query = ""
			m.refilter(true)
			return nil
		case "up", "down":
			if msg.String() == "up" {
				m.move(-1)
			} else {
				m.move(1)
			}
			return nil
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		if q := m.filter.Value(); q != m.query {
			m.query = q
			m.refilter(false)
		}
		return cmd
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.focus = paneList
		return m.filter.Focus()
	case key.Matches(msg, k.ClerkOnly):
		m.clerkOnly = !m.clerkOnly
		m.refilter(true)
	case key.Matches(msg, k.NextTab):
		m.tab = (m.tab + 1) % tabCount
	case key.Matches(msg, k.PrevTab):
		m.tab = (m.tab + tabCount - 1) % tabCount
	case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
		if m.focus == paneList {
			m.focus = paneDetail
		} else {
			m.focus = paneList
		}
	case key.Matches(msg, k.Lookup):
		r := m.selected()
		if r == nil || m.c.cfg.Looker == nil || !r.j.Judged {
			m.tab = tabBAPI
			return nil
		}
		m.tab = tabBAPI
		if ls := m.lookups[r]; ls != nil && ls.loading {
			return nil
		} else if ls != nil && ls.result != nil && len(ls.result.Errors) > 0 {
			// Asked again after a failure: call again, even an endpoint
			// the run gave up on.
			m.c.cfg.Looker.Retry()
		}
		m.lookups[r] = &lookupState{loading: true}
		return tea.Batch(lookupCmd(m.c.ctx, m.c.cfg.Looker, r), m.spin.Tick)
	case key.Matches(msg, k.Timeline):
		m.openTimeline()
	case m.tab == tabTimeline && key.Matches(msg, k.Open):
		if it := m.tlChosen(); it != nil {
			m.jumpTo(it.entries)
		}
	case m.focus == paneList && key.Matches(msg, k.Open):
		m.focus = paneDetail
		if m.tab == tabTimeline {
			m.tab = tabVerdict
		}
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-m.listHeight() + 1)
	case key.Matches(msg, k.PageDown):
		m.scroll(m.listHeight() - 1)
	case key.Matches(msg, k.Top):
		if m.focus == paneList {
			m.cursor = 0
			m.moved = true
			m.clamp()
		} else {
			m.vp.GotoTop()
			m.tlCursor = 0
		}
	case key.Matches(msg, k.Bottom):
		if m.focus == paneList {
			m.cursor = len(m.filtered) - 1
			m.moved = true
			m.clamp()
		} else {
			m.vp.GotoBottom()
			m.tlCursor = max(0, len(m.tl)-1)
		}
	}
	return nil
}

func (m *capture) scroll(n int) {
	switch {
	case m.focus == paneList:
		m.move(n)
	case m.tab == tabTimeline:
		m.stepTimeline(n)
	case n < 0:
		m.vp.ScrollUp(-n)
	default:
		m.vp.ScrollDown(n)
	}
}

// jumpTo selects the first of entries the list shows (every row is shown
// when the filter hides them all) and opens its verdict.
func (m *capture) jumpTo(entries []int) {
	if !m.selectEntries(entries) {
		return
	}
	m.moved = true
	m.focus = paneList
	m.tab = tabVerdict
}

// selectEntries moves the list cursor to the first of entries the list
// shows; when it shows none of them, the filter is cleared and the first
// entry is selected.
func (m *capture) selectEntries(entries []int) bool {
	for _, e := range entries {
		if m.cursorTo(e) {
			return true
		}
	}
	if len(entries) == 0 {
		return false
	}
	m.query, m.clerkOnly = "", false
	m.filter.SetValue("")
	m.refilter(false)
	return m.cursorTo(entries[0])
}

func (m *capture) cursorTo(entry int) bool {
	for i, idx := range m.filtered {
		if e := m.rows[idx].j.Entry; e != nil && e.Index == entry {
			m.cursor = i
			m.clamp()
			return true
		}
	}
	return false
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
		list.WriteString(ansi.Truncate(m.prog.ViewAs(pct)+" "+fmt.Sprint(len(m.rows)), inner, ""))
	default:
		scope := "all"
		if m.clerkOnly {
			scope = "Clerk-relevant"
		}
		list.WriteString(st.Muted.Render(ansi.Truncate(fmt.Sprintf("%d of %d requests · %s", len(m.filtered), len(m.rows), scope), inner, "…")))
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
	var tabs []string
	for t := tab(0); t < tabCount; t++ {
		if t == m.tab {
			tabs = append(tabs, st.TabActive.Render("▸"+t.String()))
		} else {
			tabs = append(tabs, st.Tab.Render(" "+t.String()))
		}
	}
	tabLine := ansi.Truncate(strings.Join(tabs, m.tabSep()), dw-2, "…")
	right := dp.Width(dw).Height(ph).Render(tabLine + "\n" + m.vp.View())
	banner := strings.Join(m.c.bannerLines(m.diags, m.loading, m.w), "\n")
	return banner + "\n" + joinH(left, right)
}

func joinH(left, right string) string { return lipgloss.JoinHorizontal(lipgloss.Top, left, right) }
