package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
)

// firstProblem is the index of the first diagnosis that is a fault, or -1.
func firstProblem(ds []har.Diagnosis) int {
	for i, d := range ds {
		if d.Problem {
			return i
		}
	}
	return -1
}

// leadDiagnosis is the index of the diagnosis the dashboard leads with:
// the first problem, else the first diagnosis; -1 when there is none.
func leadDiagnosis(ds []har.Diagnosis) int {
	if i := firstProblem(ds); i >= 0 || len(ds) == 0 {
		return i
	}
	return 0
}

// diagnosisBadge says in words whether a diagnosis is a fault, so that the
// banner and the Timeline read the same without colour (NO_COLOR). It is
// the word explain's Diagnosis block uses.
func diagnosisBadge(d har.Diagnosis) string {
	if d.Problem {
		return "CAUSE"
	}
	return "NORMAL"
}

// bannerLines is the diagnosis banner above the capture panes: the lead
// diagnosis in one or two lines of width w, and how many more the
// Timeline holds.
func (c *common) bannerLines(ds []har.Diagnosis, loading bool, w int) []string {
	st := c.styles
	lead := leadDiagnosis(ds)
	switch {
	case loading:
		return []string{st.Muted.Render(ansi.Truncate("Diagnosis: once the whole capture is read…", w, "…"))}
	case lead < 0:
		return []string{st.Muted.Render(ansi.Truncate("No cause named: the Verdict tab shows what the SDK decided and why.", w, "…"))}
	}
	d := ds[lead]
	badge, conf := diagnosisBadge(d), "("+d.Confidence+")"
	prefix := badge + " " + conf + " "
	t := c.keys.Timeline.Help()
	suffix := fmt.Sprintf("· %s: why and fix", t.Key)
	if n := len(ds) - 1; n > 0 {
		suffix = fmt.Sprintf("· +%d more (%s: %s)", n, t.Key, t.Desc)
	}
	pw := ansi.StringWidth(prefix)
	lines := fitBanner(c.text(d.Title), suffix, w-pw)
	badgeStyle := st.OK
	if d.Problem {
		badgeStyle = st.Err
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		s := st.Heading.Render(l)
		if i == len(lines)-1 {
			if l != "" {
				s += " "
			}
			s += st.Muted.Render(suffix)
		}
		if i == 0 {
			out[i] = badgeStyle.Render(badge) + " " + st.Key.Render(conf) + " " + s
		} else {
			out[i] = strings.Repeat(" ", pw) + s
		}
	}
	return out
}

// fitBanner lays a title out in at most two lines of width avail, leaving
// room for the suffix (and a space) at the end of the last line. Lines
// break between words; a title too long for two lines ends with an
// ellipsis, and a word too long for a line is cut with one.
func fitBanner(title, suffix string, avail int) []string {
	sw := ansi.StringWidth(suffix) + 1
	words := strings.Fields(title)
	whole := strings.Join(words, " ")
	if ansi.StringWidth(whole)+sw <= avail {
		return []string{whole}
	}
	first, rest := fillLine(words, avail)
	tail := strings.Join(rest, " ")
	if ansi.StringWidth(tail)+sw <= avail {
		return []string{first, tail}
	}
	budget := avail - sw
	second := ""
	for _, wd := range rest {
		cand := strings.TrimSpace(second + " " + wd)
		if ansi.StringWidth(cand)+1 > budget {
			break
		}
		second = cand
	}
	if second == "" {
		return []string{first, ansi.Truncate(rest[0], budget, "…")}
	}
	return []string{first, second + "…"}
}

// fillLine takes as many words as fit in w and returns the line and the
// words left over.
func fillLine(words []string, w int) (string, []string) {
	if len(words) == 0 {
		return "", nil
	}
	if ansi.StringWidth(words[0]) > w {
		return ansi.Truncate(words[0], w, "…"), words[1:]
	}
	line := words[0]
	n := 1
	for ; n < len(words); n++ {
		cand := line + " " + words[n]
		if ansi.StringWidth(cand) > w {
			break
		}
		line = cand
	}
	return line, words[n:]
}
