package ui

import (
	"fmt"
	"os"
	"sync"

	"github.com/clerkscope/clerkscope/har"
)

// entrySource reads the entries of a capture's rows again, when their
// detail tabs are opened, from the file the capture was read from (stdin
// is spooled to one by main, a gzip stream's decompressed bytes to spool
// as the load reads them; a paste is in memory). The file is opened when first
// needed and stays open until close. Only commands read (readEntryCmd for
// the selected row, a lookup, a copy, the report), so it is safe for
// concurrent use; the tabs, drawn in Update and View, take the entry held
// for them (hold) or the one read last, never the file (cached).
type entrySource struct {
	src   har.Source
	opts  har.Options
	spool *spool

	mu   sync.Mutex
	es   *har.Entries
	err  error
	last *row
	j    *har.Judged
	// held is the selected row, whose entry hj the tabs show.
	held *row
	hj   *har.Judged
}

func newEntrySource(src har.Source, opts har.Options) *entrySource {
	return &entrySource{src: src, opts: opts, spool: &spool{}}
}

// judged is r's judged entry, whole: its entry read again and its kept
// verdict. An entry that cannot be read again (the file changed or went
// away since) keeps what the row shows, and says so in place of its
// headers.
// It reads the file: only commands call it.
func (s *entrySource) judged(r *row) *har.Judged {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.atHand(r); j != nil {
		return j
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

// cached is r's judged entry when it is at hand (held for the tabs, or
// read last), without reading the file (nil: it is not).
func (s *entrySource) cached(r *row) *har.Judged {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.atHand(r)
}

func (s *entrySource) atHand(r *row) *har.Judged {
	switch r {
	case s.held:
		return s.hj
	case s.last:
		return s.j
	}
	return nil
}

// hold keeps j, r's judged entry as a command read it, for the tabs: it
// stays at hand while r is selected, whatever else commands read.
func (s *entrySource) hold(r *row, j *har.Judged) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held, s.hj = r, j
}

func (s *entrySource) entry(r *row) (*har.Entry, error) {
	if s.es == nil && s.err == nil {
		src := s.src
		if path, err := s.spool.file(); err != nil {
			s.err = err
			return nil, err
		} else if path != "" {
			src = har.File(path)
		}
		s.es, s.err = har.OpenEntries(src, s.opts)
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
	}
	s.es, s.err = nil, fmt.Errorf("the capture was closed")
	s.spool.remove()
	s.last, s.j, s.held, s.hj = nil, nil, nil, nil
}

// spool holds a gzip stream's decompressed bytes in a temporary file only
// this user can read, made when the first bytes come (a plain file never
// writes to it), so that its rows' entries can be read again; the capture
// removes it when it closes. A write that fails is remembered, not
// returned: the capture still loads, and its tabs say why an entry could
// not be read again.
type spool struct {
	mu   sync.Mutex
	f    *os.File
	path string
	err  error
}

// Write implements io.Writer for har.Options.Spool.
func (s *spool) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil && s.err == nil {
		s.f, s.err = os.CreateTemp("", "clerkscope-*.har")
		if s.f != nil {
			s.path = s.f.Name()
		}
	}
	if s.err == nil {
		_, s.err = s.f.Write(p)
	}
	if s.err != nil {
		s.err = fmt.Errorf("the decompressed capture could not be kept: %w", s.err)
	}
	return len(p), nil
}

// file is the spool's path ("": nothing was spooled).
func (s *spool) file() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.path, s.err
}

// remove removes the spool's file.
func (s *spool) remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f.Close()
		os.Remove(s.path)
	}
	s.f, s.path, s.err = nil, "", fmt.Errorf("the capture was closed")
}
