package ui

import (
	"fmt"
	"net/url"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// row is one request of the list, with what filtering and drawing need
// computed once.
type row struct {
	j      *har.Judged
	hay    string // lower-case text the / filter searches
	clerk  bool   // Clerk-relevant
	badge  string
	method string
	path   string
	status string
	time   string
	// hook is the webhook delivery this entry is (nil: a request).
	hook *webhook.Judged
}

func newRow(j *har.Judged) *row {
	r := &row{j: j}
	r.method = strings.ToUpper(j.Request.Method)
	raw := j.Request.URL
	httpStatus := 0
	if j.Entry != nil {
		raw = j.Entry.Request.URL
		if r.method == "" {
			r.method = strings.ToUpper(j.Entry.Request.Method)
		}
		httpStatus = j.Entry.Response.Status
		if !j.Entry.StartedDateTime.IsZero() {
			r.time = j.Entry.StartedDateTime.UTC().Format("15:04:05")
		}
	}
	if r.method == "" {
		r.method = "GET"
	}
	r.path = raw
	if u, err := url.Parse(raw); err == nil {
		r.path = u.EscapedPath()
		if u.RawQuery != "" {
			r.path += "?" + u.RawQuery
		}
		if j.Class == har.ClassFAPI {
			r.path = u.Host + r.path
		}
	}
	if httpStatus > 0 {
		r.status = fmt.Sprint(httpStatus)
	}
	reason := ""
	if j.Judged {
		v := j.Result.Verdict
		reason = v.Reason
		switch v.Status {
		case inspect.SignedIn:
			r.badge = "IN"
			if v.Auth != nil && !v.Auth.IsAuthenticated {
				r.badge = "PND"
			}
		case inspect.SignedOut:
			r.badge = "OUT"
		case inspect.Handshake:
			r.badge = "HS"
		case inspect.Throws:
			r.badge = "ERR"
		}
	} else {
		r.badge = "FAPI"
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(raw))
	for _, s := range []string{r.method, r.status, reason, r.badge, string(j.Class)} {
		b.WriteByte(' ')
		b.WriteString(strings.ToLower(s))
	}
	if j.Judged {
		b.WriteByte(' ')
		b.WriteString(string(j.Result.Verdict.Status))
	}
	r.hay = b.String()
	r.clerk = clerkRelevant(j)
	return r
}

// setHook makes the row a webhook delivery: badge WH, always listed, and
// found by its event, svix-id and verdict.
func (r *row) setHook(jd *webhook.Judged) {
	r.hook = jd
	r.badge = "WH"
	r.clerk = true
	r.hay += " wh webhook " + strings.ToLower(jd.Event.Type+" "+jd.Delivery.ID()+" "+string(jd.Verdict.State))
}

// clerkRelevant hides static assets, Frontend API noise and requests that
// carry nothing of Clerk's.
func clerkRelevant(j *har.Judged) bool { return j.ClerkRelevant() }

// filterRows returns the indexes of rows matching q (lower case) and the
// Clerk-only toggle.
func filterRows(rows []*row, q string, clerkOnly bool) []int {
	out := make([]int, 0, len(rows))
	for i, r := range rows {
		if clerkOnly && !r.clerk {
			continue
		}
		if q != "" && !strings.Contains(r.hay, q) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// renderRow draws one list line in width w.
func (c *common) renderRow(r *row, w int, selected bool) string {
	st := c.styles
	badge := fmt.Sprintf("%-4s", r.badge)
	switch r.badge {
	case "IN":
		badge = st.OK.Render(badge)
	case "OUT", "PND":
		badge = st.Warn.Render(badge)
	case "HS":
		badge = st.Info.Render(badge)
	case "ERR":
		badge = st.Err.Render(badge)
	case "WH":
		badge = st.Title.Render(badge)
	default:
		badge = st.Muted.Render(badge)
	}
	idx := 0
	if r.j.Entry != nil {
		idx = r.j.Entry.Index
	}
	method := ansi.Truncate(safe(r.method), 4, "")
	mark := " "
	if selected {
		mark = "›"
	}
	left := fmt.Sprintf("%s%4d %-4s ", mark, idx, method)
	right := " " + fmt.Sprintf("%3s", r.status) + " "
	if w >= 56 && r.time != "" {
		right += r.time + " "
	}
	pathW := w - ansi.StringWidth(left) - ansi.StringWidth(right) - 4
	if pathW < 4 {
		pathW = 4
	}
	path := ansi.Truncate(c.text(r.path), pathW, "…")
	line := left + path + strings.Repeat(" ", max(0, pathW-ansi.StringWidth(path))) + right
	if selected {
		return st.Selected.Render(line) + badge
	}
	return line + badge
}

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

// clearFilter drops the filter and its text.
func (m *capture) clearFilter() {
	m.query = ""
	m.filter.SetValue("")
	m.refilter(true)
	m.refreshDetail()
}

func (m *capture) move(n int) {
	m.cursor += n
	m.moved = true
	m.clamp()
}

// filterKey is a key while the filter is typed: enter keeps the filter,
// esc drops it, the arrows move the selection, everything else is text.
func (m *capture) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.AcceptWhileFiltering):
		m.filtering = false
		m.filter.Blur()
		return nil
	case key.Matches(msg, k.CancelWhileFiltering):
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.query = ""
		m.refilter(true)
		return nil
	case key.Matches(msg, k.CursorUpWhileFiltering):
		m.move(-1)
		return nil
	case key.Matches(msg, k.CursorDownWhileFiltering):
		m.move(1)
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

// listKey moves the list's selection.
func (m *capture) listKey(msg tea.KeyPressMsg) {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Open):
		m.focus = paneDetail
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.listHeight() + 1)
	case key.Matches(msg, k.PageDown):
		m.move(m.listHeight() - 1)
	case key.Matches(msg, k.Top):
		m.cursor = 0
		m.moved = true
		m.clamp()
	case key.Matches(msg, k.Bottom):
		m.cursor = len(m.filtered) - 1
		m.moved = true
		m.clamp()
	}
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
