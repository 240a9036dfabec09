package ui

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// row is one request of the list: what the list shows and filters on,
// compactly (a big capture has hundreds of thousands), and what its detail
// tabs need to read the entry again when they are opened.
type row struct {
	// j is the judged entry, held whole only when it cannot be read
	// again (a pasted request, an entry of a gzip stream); otherwise kept
	// holds its verdict and src reads the entry again from span.
	j    *har.Judged
	kept har.Kept
	span har.Span
	src  *entrySource
	// url is the request's URL as written, lurl in lower case (the same
	// string when it is).
	url, lurl string
	kind      *rowKind
	// started is the entry's startedDateTime in Unix seconds (noTime:
	// none).
	started int64
	// index is the entry's (-1: a pasted request); status its HTTP
	// status (0: none).
	index  int32
	status uint16
	// hook is the webhook delivery this entry is (nil: a request).
	hook *webhook.Judged
}

// noTime is a row's started when its entry has no startedDateTime.
const noTime = math.MinInt64

// rowKind is what rows judged alike share: the badge, the method, the
// text the filter searches after the URL, and whether it is listed as
// Clerk-relevant.
type rowKind struct {
	badge, method string
	class         har.Class
	tail          string
	clerk         bool
}

// rowStore makes the rows of one capture, sharing what rows have in
// common: their kinds and their verdicts.
type rowStore struct {
	keep  har.Keeper
	kinds map[rowKind]*rowKind
	src   *entrySource
}

func (st *rowStore) kind(k rowKind) *rowKind {
	if p := st.kinds[k]; p != nil {
		return p
	}
	if st.kinds == nil {
		st.kinds = map[rowKind]*rowKind{}
	}
	p := &k
	st.kinds[k] = p
	return p
}

// newRow makes j's row. A row held whole (no store, or an entry that
// cannot be read again) keeps j; otherwise j is dropped once kept.
func newRow(j *har.Judged) *row { return (*rowStore)(nil).row(j) }

func (st *rowStore) row(j *har.Judged) *row {
	r := &row{index: -1, started: noTime}
	method := strings.ToUpper(j.Request.Method)
	raw := j.Request.URL
	httpStatus := 0
	if j.Entry != nil {
		raw = j.Entry.Request.URL
		if method == "" {
			method = strings.ToUpper(j.Entry.Request.Method)
		}
		httpStatus = j.Entry.Response.Status
		if !j.Entry.StartedDateTime.IsZero() {
			r.started = j.Entry.StartedDateTime.Unix()
		}
		r.index = int32(j.Entry.Index)
	}
	if method == "" {
		method = "GET"
	}
	r.url, r.lurl = raw, strings.ToLower(raw)
	status := ""
	if httpStatus > 0 {
		status = fmt.Sprint(httpStatus)
		r.status = uint16(min(httpStatus, math.MaxUint16))
	}
	reason, badge := "", ""
	if j.Judged {
		v := j.Result.Verdict
		reason = v.Reason
		switch v.Status {
		case inspect.SignedIn:
			badge = "IN"
			if v.Auth != nil && !v.Auth.IsAuthenticated {
				badge = "PND"
			}
		case inspect.SignedOut:
			badge = "OUT"
		case inspect.Handshake:
			badge = "HS"
		case inspect.Throws:
			badge = "ERR"
		}
	} else {
		badge = "FAPI"
	}
	var b strings.Builder
	for _, s := range []string{method, status, reason, badge, string(j.Class)} {
		b.WriteByte(' ')
		b.WriteString(strings.ToLower(s))
	}
	if j.Judged {
		b.WriteByte(' ')
		b.WriteString(string(j.Result.Verdict.Status))
	}
	k := rowKind{badge: badge, method: method, class: j.Class, tail: b.String(), clerk: clerkRelevant(j)}
	if st == nil {
		r.kind, r.j = &k, j
		return r
	}
	r.kind = st.kind(k)
	if kept, ok := st.keep.Keep(j); ok && st.src != nil {
		r.kept, r.span, r.src = kept, j.Entry.Span, st.src
	} else {
		r.j = j
	}
	return r
}

// badge is the row's badge: IN, OUT, PND, HS, ERR, FAPI or WH.
func (r *row) badge() string { return r.kind.badge }

// clerk reports whether the row is listed as Clerk-relevant.
func (r *row) clerk() bool { return r.kind.clerk }

// matches reports whether the filter's text q (lower case) is in the row's
// URL and tail, as if they were one string.
func (r *row) matches(q string) bool {
	if strings.Contains(r.lurl, q) || strings.Contains(r.kind.tail, q) {
		return true
	}
	for i := 1; i < len(q); i++ {
		if strings.HasSuffix(r.lurl, q[:i]) && strings.HasPrefix(r.kind.tail, q[i:]) {
			return true
		}
	}
	return false
}

// path is what the list shows of the URL: its path and query (and the
// host of a Frontend API request).
func (r *row) path() string {
	p := r.url
	if u, err := url.Parse(r.url); err == nil {
		p = u.EscapedPath()
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		if r.kind.class == har.ClassFAPI {
			p = u.Host + p
		}
	}
	return p
}

// entryIndex is the entry's index, and false for a pasted request.
func (r *row) entryIndex() (int, bool) { return int(r.index), r.index >= 0 }

// verdict is the row's verdict (nil: not judged), without reading its
// entry again.
func (r *row) verdict() *inspect.Verdict {
	if r.j != nil {
		if !r.j.Judged {
			return nil
		}
		return r.j.Result.Verdict
	}
	if res := r.kept.Result(); res != nil {
		return res.Verdict
	}
	return nil
}

// judged is the row's judged entry, whole: the entry is read again from
// the file (the last one read is at hand).
func (r *row) judged() *har.Judged {
	if r.j != nil {
		return r.j
	}
	return r.src.judged(r)
}

// setHook makes the row a webhook delivery: badge WH, always listed, and
// found by its event, svix-id and verdict.
func (r *row) setHook(jd *webhook.Judged) {
	r.hook = jd
	k := *r.kind
	k.badge, k.clerk = "WH", true
	k.tail += " wh webhook " + strings.ToLower(jd.Event.Type+" "+jd.Delivery.ID()+" "+string(jd.Verdict.State))
	r.kind = &k
}

// clerkRelevant hides static assets, Frontend API noise and requests that
// carry nothing of Clerk's.
func clerkRelevant(j *har.Judged) bool { return j.ClerkRelevant() }

// filterRows returns the indexes of rows matching q (lower case) and the
// Clerk-only toggle.
func filterRows(rows []*row, q string, clerkOnly bool) []int {
	return appendMatches(make([]int, 0, len(rows)), rows, 0, q, clerkOnly)
}

// appendMatches appends to out the indexes from from on of the rows that
// match.
func appendMatches(out []int, rows []*row, from int, q string, clerkOnly bool) []int {
	for i := from; i < len(rows); i++ {
		r := rows[i]
		if clerkOnly && !r.kind.clerk {
			continue
		}
		if q != "" && !r.matches(q) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// renderRow draws one list line in width w.
func (c *common) renderRow(r *row, w int, selected bool) string {
	st := c.styles
	badge := fmt.Sprintf("%-4s", r.kind.badge)
	switch r.kind.badge {
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
	idx, _ := r.entryIndex()
	idx = max(idx, 0)
	method := ansi.Truncate(safe(r.kind.method), 4, "")
	mark := " "
	if selected {
		mark = "›"
	}
	left := fmt.Sprintf("%s%4d %-4s ", mark, idx, method)
	status := ""
	if r.status > 0 {
		status = fmt.Sprint(r.status)
	}
	right := " " + fmt.Sprintf("%3s", status) + " "
	if w >= 56 && r.started != noTime {
		right += time.Unix(r.started, 0).UTC().Format("15:04:05") + " "
	}
	pathW := w - ansi.StringWidth(left) - ansi.StringWidth(right) - 4
	if pathW < 4 {
		pathW = 4
	}
	path := ansi.Truncate(c.text(r.path()), pathW, "…")
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
// Rows are kept compactly (rowStore) when the capture's entries can be
// read again; the list stays filtered by testing only the new rows.
func (m *capture) addRows(js []*har.Judged) {
	from := len(m.rows)
	for _, j := range js {
		m.rows = append(m.rows, m.store.row(j))
	}
	q := strings.ToLower(m.query)
	if m.filteredFor != (filterState{q, m.clerkOnly, from}) {
		m.refilter(false)
		return
	}
	m.filtered = appendMatches(m.filtered, m.rows, from, q, m.clerkOnly)
	m.filteredFor.rows = len(m.rows)
	m.clamp()
}

// filterState is what the list's filtered indexes were computed for.
type filterState struct {
	query     string
	clerkOnly bool
	rows      int
}

func (m *capture) refilter(keepSelection bool) {
	var sel *row
	if keepSelection {
		sel = m.selected()
	}
	q := strings.ToLower(m.query)
	m.filtered = filterRows(m.rows, q, m.clerkOnly)
	m.filteredFor = filterState{q, m.clerkOnly, len(m.rows)}
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
		if e, ok := m.rows[idx].entryIndex(); ok && e == entry {
			m.cursor = i
			m.clamp()
			return true
		}
	}
	return false
}
