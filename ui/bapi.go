package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/bapi"
)

// bapiNoticeMsg is a Backend API notice (a Retry-After wait, an endpoint
// given up for the run), shown in the status line.
type bapiNoticeMsg struct {
	ch     <-chan bapi.Notice
	notice bapi.Notice
}

// waitNoticeCmd waits for the next Backend API notice.
func waitNoticeCmd(ch <-chan bapi.Notice) tea.Cmd {
	return func() tea.Msg {
		n, ok := <-ch
		if !ok {
			return nil
		}
		return bapiNoticeMsg{ch: ch, notice: n}
	}
}

// lookupDoneMsg is a finished Backend API lookup.
type lookupDoneMsg struct {
	row *row
	res *bapi.Lookup
}

// lookupState is the Backend API lookup of one request. A lookup does
// not fail as a whole: what each call could not get is in the result's
// Errors.
type lookupState struct {
	loading bool
	result  *bapi.Lookup
}

// bapiTab is the BAPI tab, a request's Backend API lookup: the sections
// bapi builds (what disagrees with the token first, the user card,
// sessions with the token's marked, organizations, reverification, the
// instance), styled by how each row reads. It runs the lookups (l) and
// keeps each request's.
type bapiTab struct {
	pager
	lookups map[*row]*lookupState
	spin    spinner.Model
}

func newBAPITab(c *common) *bapiTab {
	t := &bapiTab{lookups: map[*row]*lookupState{}, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	t.pager = newPager(c, false, t.render)
	return t
}

// Update implements detailTab: l looks the row up, the result and the
// spinner's ticks redraw the page.
func (t *bapiTab) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case lookupDoneMsg:
		t.lookups[msg.row] = &lookupState{result: msg.res}
		t.relayout()
		return nil
	case spinner.TickMsg:
		var cmd tea.Cmd
		t.spin, cmd = t.spin.Update(msg)
		if !t.anyLoading() {
			return nil
		}
		t.relayout()
		return cmd
	case tea.KeyPressMsg:
		if key.Matches(msg, t.c.keys.Lookup) {
			return t.lookup(t.r)
		}
	}
	return t.scroll(msg)
}

// lookup starts the lookup of r, unless one is running; asked again after
// a failure, it calls again, even an endpoint the run gave up on.
func (t *bapiTab) lookup(r *row) tea.Cmd {
	l := t.c.cfg.Looker
	if r == nil || l == nil || r.verdict() == nil {
		return nil
	}
	if ls := t.lookups[r]; ls != nil && ls.loading {
		return nil
	} else if ls != nil && ls.result != nil && len(ls.result.Errors) > 0 {
		l.Retry()
	}
	t.lookups[r] = &lookupState{loading: true}
	t.relayout()
	return tea.Batch(lookupCmd(t.c.ctx, l, r), t.spin.Tick)
}

// lookupCmd runs a Backend API lookup for a row (its entry, too, is read
// in the command).
func lookupCmd(ctx context.Context, l *bapi.Looker, r *row) tea.Cmd {
	return func() tea.Msg {
		j := r.judged()
		res := l.ForAuth(ctx, j.Result.Verdict, j.Result.At)
		return lookupDoneMsg{row: r, res: res}
	}
}

func (t *bapiTab) anyLoading() bool {
	for _, l := range t.lookups {
		if l.loading {
			return true
		}
	}
	return false
}

// ShortHelp implements help.KeyMap: the scroll keys and l.
func (t *bapiTab) ShortHelp() []key.Binding {
	return append(t.pager.ShortHelp(), enabled(t.c.keys.Lookup)...)
}

// FullHelp implements help.KeyMap.
func (t *bapiTab) FullHelp() [][]key.Binding { return [][]key.Binding{t.ShortHelp()} }

func (t *bapiTab) render(r *row, w int) string {
	c, ls, spin := t.c, t.lookups[r], t.spin.View()
	st := c.styles
	var b strings.Builder
	if c.cfg.Looker == nil {
		b.WriteString(st.Warn.Render("No Backend API key") + "\n\n")
		b.WriteString(wrap("Set CLERK_SECRET_KEY to the instance's secret key (sk_live_… or sk_test_…) and restart clerkscope to see the user, session and organization behind this token, next to what the token says.", w) + "\n")
		return b.String()
	}
	if v := r.verdict(); v == nil || (v.Token == nil && v.Auth == nil) {
		return st.Muted.Render("No session token on this request to look up.")
	}
	switch {
	case ls == nil:
		b.WriteString(wrap("Press "+c.keys.Lookup.Help().Key+" to look up the user, their sessions and organizations with "+c.cfg.Looker.Client().MaskedKey()+" (read-only).", w) + "\n")
	case ls.loading:
		b.WriteString(spin + " looking up…\n")
	case ls.result == nil:
		b.WriteString(st.Muted.Render("The token names no session or user.") + "\n")
	default:
		lk := ls.result.Shown(c.reveal)
		head := "Backend API, at the request's time: " + lk.Summary()
		if !c.reveal {
			head += " · identifiers and private metadata hidden (" + c.keys.Secrets.Help().Key + " shows them)"
		}
		b.WriteString(st.Muted.Render(wrap(c.text(head), w)) + "\n\n")
		for _, sec := range lk.Sections() {
			b.WriteString(st.Title.Render(wrap(c.text(sec.Title), w)) + "\n")
			for _, row := range sec.Rows {
				c.lookupRow(&b, row, w)
			}
			b.WriteString("\n")
		}
		if len(lk.Errors) > 0 {
			b.WriteString(st.Muted.Render(wrap("Press "+c.keys.Lookup.Help().Key+" again to retry what failed.", w)) + "\n")
		}
	}
	return b.String()
}

// lookupRow writes one row: a marker for the token's own record, the
// label, the value wrapped under itself, and the row's details below.
func (c *common) lookupRow(b *strings.Builder, r bapi.Row, w int) {
	st := c.styles
	const pad = 17
	style := st.Value
	switch r.Level {
	case bapi.OK:
		style = st.OK
	case bapi.Warn:
		style = st.Warn
	case bapi.Bad:
		style = st.Err
	case bapi.Muted:
		style = st.Muted
	}
	mark := "  "
	if r.Mark {
		mark = st.Cursor.Render("▶ ")
	}
	label := ansi.Truncate(c.text(r.Label), pad-3, "…")
	lines := strings.Split(wrap(c.text(r.Value), w-pad), "\n")
	for i, l := range lines {
		if i == 0 {
			b.WriteString(mark + st.Key.Render(label+strings.Repeat(" ", max(1, pad-2-ansi.StringWidth(label)))) + style.Render(l) + "\n")
		} else {
			b.WriteString(strings.Repeat(" ", pad) + style.Render(l) + "\n")
		}
	}
	for _, sub := range r.Sub {
		for _, l := range strings.Split(wrap(c.text(sub), w-pad-2), "\n") {
			b.WriteString(strings.Repeat(" ", pad+2) + st.Muted.Render(l) + "\n")
		}
	}
}
