package ui

import (
	"strings"

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

// bapiTab is a request's Backend API lookup: the sections bapi builds
// (what disagrees with the token first, the user card, sessions with the
// token's marked, organizations, reverification, the instance), styled by
// how each row reads. The viewport scrolls them.
func (c *common) bapiTab(r *row, ls *lookupState, spin string, w int) string {
	st := c.styles
	var b strings.Builder
	if c.cfg.Looker == nil {
		b.WriteString(st.Warn.Render("No Backend API key") + "\n\n")
		b.WriteString(wrap("Set CLERK_SECRET_KEY to the instance's secret key (sk_live_… or sk_test_…) and restart clerkscope to see the user, session and organization behind this token, next to what the token says.", w) + "\n")
		return b.String()
	}
	if !r.j.Judged || (r.j.Result.Verdict.Token == nil && r.j.Result.Verdict.Auth == nil) {
		return st.Muted.Render("No session token on this request to look up.")
	}
	switch {
	case ls == nil:
		b.WriteString(wrap("Press l to look up the user, their sessions and organizations with "+c.cfg.Looker.Client().MaskedKey()+" (read-only).", w) + "\n")
	case ls.loading:
		b.WriteString(spin + " looking up…\n")
	case ls.result == nil:
		b.WriteString(st.Muted.Render("The token names no session or user.") + "\n")
	default:
		lk := ls.result
		if !c.reveal {
			lk = lk.Redacted()
		}
		head := "Backend API, at the request's time: " + lk.Summary()
		if !c.reveal {
			head += " · identifiers and private metadata hidden (s shows them)"
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
			b.WriteString(st.Muted.Render(wrap("Press l again to retry what failed.", w)) + "\n")
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
