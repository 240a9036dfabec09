package ui

import (
	"fmt"
	"sync"

	"github.com/clerkscope/clerkscope/har"
)

// entrySource reads the entries of a capture's rows again, when their
// detail tabs are opened, from the file the capture was read from (stdin
// is spooled to one; a paste is in memory). The file is opened when first
// needed and stays open until close; the entry read last is at hand, as
// every tab of the selected row asks for it. It is safe for concurrent
// use: commands (a lookup, a copy, the report) read rows too.
type entrySource struct {
	src  har.Source
	opts har.Options

	mu   sync.Mutex
	es   *har.Entries
	err  error
	last *row
	j    *har.Judged
}

func newEntrySource(src har.Source, opts har.Options) *entrySource {
	return &entrySource{src: src, opts: opts}
}

// judged is r's judged entry, whole: its entry read again and its kept
// verdict. An entry that cannot be read again (the file changed or went
// away since) keeps what the row shows, and says so in place of its
// headers.
func (s *entrySource) judged(r *row) *har.Judged {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == r {
		return s.j
	}
	e, err := s.entry(r)
	if err != nil {
		e = &har.Entry{Index: int(r.index)}
		e.Request.URL, e.Request.Method = r.url(), r.kind.method
		e.Response.Status = int(r.status)
		e.Response.StatusText = fmt.Sprintf("(entry not read again: %v)", err)
	}
	s.last, s.j = r, r.kept.Whole(e)
	return s.j
}

func (s *entrySource) entry(r *row) (*har.Entry, error) {
	if s.es == nil && s.err == nil {
		s.es, s.err = har.OpenEntries(s.src, s.opts)
	}
	if s.err != nil {
		return nil, s.err
	}
	return s.es.Entry(r.span(), int(r.index))
}

// close closes the file (the capture is gone).
func (s *entrySource) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.es != nil {
		s.es.Close()
		s.es, s.err = nil, fmt.Errorf("the capture was closed")
	}
	s.last, s.j = nil, nil
}
