package ui

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
// tabs need to read the entry again when they are opened (64 bytes, with
// its URL beside).
type row struct {
	// u is the request's URL in lower case or, when the URL as written
	// differs (split > 0), the URL as written and then in lower case, from
	// split on. A row held whole keeps only the lower case: its URL as
	// written is its entry's.
	u    string
	kind *rowKind
	// kept holds the verdict of an entry the tabs read again from its
	// span (off, n); a row held whole (whole) has its judged entry in the
	// store instead.
	kept har.Kept
	off  int64
	// started is the entry's startedDateTime in Unix seconds (noTime:
	// none).
	started int64
	n       uint32
	split   uint32
	// index is the entry's (-1: a pasted request); status its HTTP
	// status (0: none).
	index  int32
	status uint16
	whole  bool
}

// noTime is a row's started when its entry has no startedDateTime.
const noTime = math.MinInt64

// rowKind is what rows judged alike share: the badge, the method, the
// text the filter searches after the URL, whether it is listed as
// Clerk-relevant, and the store of their capture. A webhook delivery's row
// has a kind of its own, with the delivery.
type rowKind struct {
	badge, method string
	class         har.Class
	tail          string
	clerk         bool
	store         *rowStore
	// hook is the webhook delivery the row is (nil: a request).
	hook *webhook.Judged
}

// rowStore makes the rows of one capture, sharing what rows have in
// common: their kinds and their verdicts. src reads their entries again
// (nil: every row is held whole, in whole).
type rowStore struct {
	keep  har.Keeper
	kinds map[kindKey]*rowKind
	src   *entrySource
	// mu guards whole: the load writes it while the list reads it.
	mu    sync.RWMutex
	whole map[*row]*har.Judged
}

// kindKey is what makes a row's kind: the kind's tail is written from it
// only when a row makes a new one (most rows of a big capture share a few).
type kindKey struct {
	method, reason string
	status         int
	verdict        inspect.Status
	badge          string
	class          har.Class
	judged, clerk  bool
}

// kind is the kind rows made alike share.
func (st *rowStore) kind(k kindKey) *rowKind {
	if p := st.kinds[k]; p != nil {
		return p
	}
	if st.kinds == nil {
		st.kinds = map[kindKey]*rowKind{}
	}
	status := ""
	if k.status > 0 {
		status = strconv.Itoa(k.status)
	}
	var b strings.Builder
	for _, s := range []string{k.method, status, k.reason, k.badge, string(k.class)} {
		b.WriteByte(' ')
		b.WriteString(strings.ToLower(s))
	}
	if k.judged {
		b.WriteByte(' ')
		b.WriteString(string(k.verdict))
	}
	p := &rowKind{badge: k.badge, method: k.method, class: k.class, tail: b.String(), clerk: k.clerk, store: st}
	st.kinds[k] = p
	return p
}

// row makes j's row: kept, and j dropped, when its entry can be read
// again; held whole otherwise.
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
	lower := strings.ToLower(raw)
	r.u = lower
	if httpStatus > 0 {
		r.status = uint16(min(httpStatus, math.MaxUint16))
	}
	k := kindKey{method: method, status: max(httpStatus, 0), class: j.Class, judged: j.Judged, clerk: clerkRelevant(j)}
	if j.Judged {
		v := j.Result.Verdict
		k.reason, k.verdict = v.Reason, v.Status
		switch v.Status {
		case inspect.SignedIn:
			k.badge = "IN"
			if v.Auth != nil && !v.Auth.IsAuthenticated {
				k.badge = "PND"
			}
		case inspect.SignedOut:
			k.badge = "OUT"
		case inspect.Handshake:
			k.badge = "HS"
		case inspect.Throws:
			k.badge = "ERR"
		}
	} else {
		k.badge = "FAPI"
	}
	r.kind = st.kind(k)
	if kept, ok := st.keep.Keep(j); ok && st.src != nil && j.Entry.Span.Len <= math.MaxUint32 && len(raw) < math.MaxUint32 {
		r.kept, r.off, r.n = kept, j.Entry.Span.Off, uint32(j.Entry.Span.Len)
		if lower != raw {
			r.u, r.split = raw+lower, uint32(len(raw))
		}
		return r
	}
	r.whole = true
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.whole == nil {
		st.whole = map[*row]*har.Judged{}
	}
	st.whole[r] = j
	return r
}

// wholeOf is the judged entry of a row held whole.
func (st *rowStore) wholeOf(r *row) *har.Judged {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.whole[r]
}

// url is the request's URL as written.
func (r *row) url() string {
	switch {
	case r.split > 0:
		return r.u[:r.split]
	case r.whole:
		j := r.kind.store.wholeOf(r)
		if j.Entry != nil {
			return j.Entry.Request.URL
		}
		return j.Request.URL
	}
	return r.u
}

// lurl is the request's URL in lower case.
func (r *row) lurl() string { return r.u[r.split:] }

// span is where the row's entry lies in the capture's file.
func (r *row) span() har.Span { return har.Span{Off: r.off, Len: int64(r.n)} }

// hook is the webhook delivery the row is (nil: a request).
func (r *row) hook() *webhook.Judged { return r.kind.hook }

// badge is the row's badge: IN, OUT, PND, HS, ERR, FAPI or WH.
func (r *row) badge() string { return r.kind.badge }

// matches reports whether the filter's text q (lower case) is in the row's
// URL and tail, as if they were one string.
func (r *row) matches(q string) bool {
	lurl := r.u[r.split:]
	if strings.Contains(lurl, q) || strings.Contains(r.kind.tail, q) {
		return true
	}
	for i := 1; i < len(q); i++ {
		if strings.HasSuffix(lurl, q[:i]) && strings.HasPrefix(r.kind.tail, q[i:]) {
			return true
		}
	}
	return false
}

// path is what the list shows of the URL: its path and query (and the
// host of a Frontend API request).
func (r *row) path() string {
	p := r.url()
	if u, err := url.Parse(p); err == nil {
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
	if r.whole {
		if j := r.kind.store.wholeOf(r); j.Judged {
			return j.Result.Verdict
		}
		return nil
	}
	if res := r.kept.Result(); res != nil {
		return res.Verdict
	}
	return nil
}

// judged is the row's judged entry, whole: the entry is read again from
// the file unless it is at hand. It may read the file: commands call it,
// never Update or View (they take atHand).
func (r *row) judged() *har.Judged {
	if r.whole {
		return r.kind.store.wholeOf(r)
	}
	return r.kind.store.src.judged(r)
}

// atHand is the row's judged entry when the tabs can show it without
// reading the file: a row held whole, or one whose entry a command read
// (nil: readEntryCmd must read it first).
func (r *row) atHand() *har.Judged {
	if r.whole {
		return r.kind.store.wholeOf(r)
	}
	return r.kind.store.src.cached(r)
}

// setHook makes the row a webhook delivery: badge WH, always listed, and
// found by its event, svix-id and verdict.
func (r *row) setHook(jd *webhook.Judged) {
	k := *r.kind
	k.badge, k.clerk, k.hook = "WH", true, jd
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
	rows := make([]*row, len(js))
	for i, j := range js {
		rows[i] = m.store.row(j)
	}
	m.appendRows(rows)
}

// appendRows appends rows made by the capture's store.
func (m *capture) appendRows(rows []*row) {
	from := len(m.rows)
	m.rows = append(m.rows, rows...)
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
