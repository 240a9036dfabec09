package bapi

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/clerkscope/clerkscope/har"
)

// WithLookups adds the Backend API's user, session and organization behind
// each verdict to an output format: explain --json's and the JSON report's
// requests carry their lookup, explain's text prints it under each request,
// and the Markdown report ends with a section per distinct lookup (its
// entries named, a user's card once), written to w after the report.
// Identifiers and private metadata are redacted unless reveal.
func WithLookups(ctx context.Context, sink har.Sink, looker *Looker, reveal bool, w io.Writer) har.Sink {
	switch s := sink.(type) {
	case *har.JSONWriter:
		s.Extra = func(j *har.Judged) map[string]any {
			if lk := looker.ForAuth(ctx, j.Result.Verdict, j.Result.At); lk != nil {
				return map[string]any{"lookup": lk.Shown(reveal)}
			}
			return nil
		}
		return s
	case *har.TextWriter:
		p := &Printer{Reveal: reveal}
		s.Extra = func(w io.Writer, j *har.Judged) {
			p.Write(w, looker.ForAuth(ctx, j.Result.Verdict, j.Result.At))
		}
		return s
	}
	return &lookupSection{Sink: sink, ctx: ctx, looker: looker, printer: &Printer{Reveal: reveal}, w: w, byKey: map[string]*lookupGroup{}}
}

// Shown is the lookup as an output shows it: whole with reveal, else
// Redacted.
func (l *Lookup) Shown(reveal bool) *Lookup {
	if reveal {
		return l
	}
	return l.Redacted()
}

// lookupSection collects a Markdown report's lookups, grouped by what
// they say, and writes them after the report.
type lookupSection struct {
	har.Sink
	ctx     context.Context
	looker  *Looker
	printer *Printer
	w       io.Writer
	groups  []*lookupGroup
	byKey   map[string]*lookupGroup
}

type lookupGroup struct {
	lk      *Lookup
	entries []string
}

// Write implements har.Sink.
func (s *lookupSection) Write(j *har.Judged) {
	s.Sink.Write(j)
	if !j.Judged {
		return
	}
	lk := s.looker.ForAuth(s.ctx, j.Result.Verdict, j.Result.At)
	if lk == nil {
		return
	}
	key := lk.Summary()
	for _, d := range lk.Discrepancies {
		key += "|" + d.Code + d.Text
	}
	g := s.byKey[key]
	if g == nil {
		g = &lookupGroup{lk: lk}
		s.byKey[key] = g
		s.groups = append(s.groups, g)
	}
	name := "the pasted request"
	if j.Entry != nil {
		name = fmt.Sprint(j.Entry.Index)
	}
	g.entries = append(g.entries, name)
}

// Close implements har.Sink: the report, then the lookups.
func (s *lookupSection) Close(story *har.Story, readErr error) error {
	if err := s.Sink.Close(story, readErr); err != nil {
		return err
	}
	if len(s.groups) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("## Backend API lookup\n\n")
	if s.printer.Reveal {
		b.WriteString("**Not redacted: identifiers and private metadata are shown.**\n\n")
	} else {
		b.WriteString("Identifiers (emails, phone numbers, usernames, external ids, IP addresses) and private metadata values are redacted (`‹kind#hash›`: equal hashes are equal values).\n\n")
	}
	for _, g := range s.groups {
		what := "Entry " + g.entries[0]
		if len(g.entries) > 1 {
			what = "Entries " + strings.Join(g.entries, ", ")
		}
		if g.entries[0] == "the pasted request" {
			what = "The pasted request"
		}
		summary, secs := s.printer.Sections(g.lk)
		fmt.Fprintf(&b, "### %s: %s\n\n", what, summary)
		WriteMarkdown(&b, secs, 4)
	}
	_, err := io.WriteString(s.w, b.String())
	return err
}
