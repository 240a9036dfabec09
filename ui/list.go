package ui

import (
	"fmt"
	"net/url"
	"strings"

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
