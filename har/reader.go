// Package har reads HAR 1.1/1.2 captures as a stream, one entry at a time,
// from every browser and proxy that writes them (Chrome, Edge, Firefox,
// Safari, Charles, Fiddler, Insomnia, Proxyman, mitmproxy, Playwright,
// Firebug), including UTF-8 BOMs, JSONP-wrapped exports and .har.gz files.
// It classifies entries, replays the cookie jar, and tells the story of a
// Clerk session across the capture.
package har

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Header is one header line.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Cookie is an entry of a HAR cookies[] array.
type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
	SameSite string `json:"sameSite,omitempty"`
}

// Request is the request half of an entry.
type Request struct {
	Method      string   `json:"method"`
	URL         string   `json:"url"`
	HTTPVersion string   `json:"httpVersion"`
	Headers     []Header `json:"headers"`
	Cookies     []Cookie `json:"cookies"`
	BodySize    int64    `json:"bodySize"`
}

// Content is a response body's description; Text is kept only when the
// reader was asked to keep bodies.
type Content struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Encoding string `json:"encoding,omitempty"`
	Text     string `json:"text,omitempty"`
	HasText  bool   `json:"-"`
}

// Response is the response half of an entry.
type Response struct {
	Status      int      `json:"status"`
	StatusText  string   `json:"statusText"`
	HTTPVersion string   `json:"httpVersion"`
	Headers     []Header `json:"headers"`
	Cookies     []Cookie `json:"cookies"`
	Content     Content  `json:"content"`
	RedirectURL string   `json:"redirectURL"`
}

// Entry is one request/response pair.
type Entry struct {
	// Index is the position in log.entries, from 0.
	Index           int       `json:"index"`
	PageRef         string    `json:"pageref,omitempty"`
	StartedDateTime time.Time `json:"startedDateTime"`
	// Started is the startedDateTime text as written.
	Started      string   `json:"-"`
	Time         float64  `json:"time"`
	Request      Request  `json:"request"`
	Response     Response `json:"response"`
	ResourceType string   `json:"_resourceType,omitempty"`
	// Span is where the entry's object lies in the file (zero in a gzip
	// stream, whose offsets are not the file's): ReadEntryAt reads it
	// again from there.
	Span Span `json:"-"`
}

// Span is a byte range of a capture file.
type Span struct {
	Off, Len int64
}

// Page is an entry of log.pages.
type Page struct {
	ID              string `json:"id"`
	Title           string `json:"title"`
	StartedDateTime string `json:"startedDateTime"`
}

// Log is what the capture says about itself.
type Log struct {
	Version string `json:"version"`
	Creator string `json:"creator"`
	Browser string `json:"browser,omitempty"`
	Pages   []Page `json:"pages,omitempty"`
	// Notes are what the reader left out: values over the cap
	// (Options.MaxValue), each with its entry.
	Notes []string `json:"notes,omitempty"`
	// Capped are the entries that lost a value to the cap.
	Capped []int `json:"-"`
}

// Options tune the reader.
type Options struct {
	// KeepBodies keeps response content text (otherwise skipped unread).
	KeepBodies bool
	// Lean keeps only the headers that matter to Clerk (Cookie,
	// Authorization, Sec-Fetch-*, Set-Cookie, Location, x-clerk-*, …);
	// explain uses it to stay fast on huge captures. The dashboard keeps
	// every header for its Raw tab.
	Lean bool
	// MaxValue caps each value the reader keeps (a URL, a header or
	// cookie, a body with KeepBodies), in decoded bytes; 0 is
	// DefaultMaxValue. A longer value is left out (read as empty) and its
	// entry kept, with a note in Log.Notes. In a gzip stream nothing may
	// decompress to more than 64 × MaxValue between two structural bytes
	// of the JSON ({ } [ ] , :) — no body, skipped or kept, no run of
	// whitespace: past that the reader stops with a *LimitError (a
	// decompression bomb), however big the whole file is. An uncompressed
	// file has no such limit: what the reader skips costs time, never
	// memory.
	MaxValue int64
	// Spool, when set, receives a gzip stream's decompressed bytes as
	// they are read, and the entries' spans are offsets in it, so that
	// ReadEntryAt reads them again from what Spool wrote (a file). A
	// plain file's spans are its own; Spool receives nothing.
	Spool io.Writer

	// tokenLimit replaces 64 × MaxValue in tests.
	tokenLimit int64
}

// DefaultMaxValue is the cap of a kept value: above the 2 MB Chrome allows
// in a URL, far above any cookie or header a browser sends.
const DefaultMaxValue = 4 << 20

// isLean reports whether a header is kept in Lean mode, without
// allocating for the lower-case form: one of leanHeaders, or a name holding
// "svix-" in any case, which may tell a webhook delivery (MaybeWebhook), so
// that a Lean read knows its deliveries as a full one does.
func isLean[T string | []byte](name T) bool {
	var buf [40]byte
	if len(name) > len(buf) {
		return hasSvix(name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return leanHeaders[string(buf[:len(name)])] || hasSvix(buf[:len(name)])
}

// hasSvix reports whether name holds "svix-" in any case, exactly as
// strings.Contains(strings.ToLower(name), "svix-") does (MaybeWebhook): in
// ASCII case by case; a name with other bytes is lowered as a whole (İ
// lowers to i).
func hasSvix[T string | []byte](name T) bool {
	const w = "svix-"
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(string(name)), w)
		}
	}
	for i := 0; i+len(w) <= len(name); i++ {
		j := 0
		for ; j < len(w); j++ {
			c := name[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[j] {
				break
			}
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// leanHeaders are the headers kept in Lean mode (lower case).
var leanHeaders = map[string]bool{
	"cookie": true, "authorization": true, "sec-fetch-dest": true, "sec-fetch-site": true, "sec-fetch-mode": true,
	"accept": true, "referer": true, "origin": true, "host": true, ":authority": true, "x-forwarded-host": true,
	"x-forwarded-proto": true, "cloudfront-forwarded-proto": true, "user-agent": true, "set-cookie": true,
	"location": true, "date": true, "x-clerk-auth-status": true, "x-clerk-auth-reason": true,
	"x-clerk-auth-message": true, "x-clerk-redirect-to": true, "access-control-allow-origin": true,
	"access-control-allow-credentials": true, "cache-control": true, "x-clerk-trace-id": true, "content-type": true,
	// What a cache says about a response (the diagnosis of cached auth
	// responses and the clock estimate need them).
	"age": true, "cache-status": true, "cf-cache-status": true, "x-vercel-cache": true, "x-cache": true, "x-nextjs-cache": true,
	"x-nextjs-prerender": true, "x-netlify-cache": true, "cdn-cache": true, "x-cache-status": true, "x-proxy-cache": true,
	"x-fastly-cache": true, "x-request-id": true, "x-vercel-id": true,
	// What tells a webhook delivery (Entry.MaybeWebhook; isLean keeps every
	// svix-* name too): the story counts them apart, as they carry no
	// cookies by nature, and Input.Webhooks reads them again only then.
	"webhook-id": true, "webhook-timestamp": true, "webhook-signature": true,
}

// SyntaxError is invalid JSON, with where it is.
type SyntaxError struct {
	Line, Column int
	Offset       int64
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d: %s (is the file complete? re-export it from the browser's Network panel)", e.Line, e.Column, e.Msg)
}

// TruncatedError is a capture that stops in the middle (an interrupted
// download or export). The entries before the break were returned.
type TruncatedError struct {
	Entries int
	Line    int
	Column  int
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("the capture is truncated: it stops at line %d, column %d after %d complete entries (the download or export was cut; the entries before the break are shown)", e.Line, e.Column, e.Entries)
}

// LimitError is a gzip stream in which one value (or run of whitespace)
// decompresses to more than the limit: a decompression bomb, or a damaged
// file. The entries before it were returned.
type LimitError struct {
	Entries int
	// Where is the value, e.g. "entry 3, response.content.text".
	Where string
	Limit int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the capture decompresses to more than %s in one value (%s) and is read no further, after %d complete entries: a decompression bomb or a damaged file (if it is genuine, decompress it with gunzip first, or raise --max-value)", FormatSize(e.Limit), e.Where, e.Entries)
}

// ErrNotHAR is JSON that is not a HAR document.
var ErrNotHAR = errors.New("this JSON is not a HAR capture: it has no log.entries (export it from the browser's Network panel with \"Save all as HAR\")")

// Reader streams the entries of a capture.
type Reader struct {
	sc   *scanner
	base int64 // bytes skipped before the document (a JSONP prefix)
	// start is the file offset of the scanner's first byte (base and a
	// BOM), -1 in a gzip stream.
	start   int64
	opts    Options
	max     int
	log     Log
	n       int
	state   int  // 0 before entries, 1 in entries, 2 after
	first   bool // in entries, before the first element
	closers []io.Closer
	err     error

	// path is the member names from the root to the value being read.
	path   []string
	keys   interner
	in     interner
	names  interner    // header names
	hdrs   [2][]Header // the request's and the response's, until the entry is read
	cks    []Cookie
	capped int    // values over the cap
	header string // the header whose value is being read
}

// NewReader prepares to stream a capture. It detects gzip, a UTF-8 BOM and
// a JSONP wrapper such as onInputData({...}).
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	rd := &Reader{opts: opts, max: readerMax(opts)}
	maxValue := opts.MaxValue
	if maxValue <= 0 {
		maxValue = DefaultMaxValue
	}
	gzipped := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("the file looks gzip-compressed but does not decompress: %w", err)
		}
		rd.closers = append(rd.closers, gz)
		var src io.Reader = gz
		if opts.Spool != nil {
			src = io.TeeReader(gz, opts.Spool)
		}
		br = bufio.NewReaderSize(src, 64<<10)
		gzipped = true
	}
	bom := int64(0)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
		bom = 3
	}
	// Skip leading whitespace, then a JSONP prefix up to the first '{'.
	skipped := int64(0)
	for {
		b, err := br.Peek(1)
		if err != nil {
			switch {
			case errors.Is(err, io.ErrUnexpectedEOF):
				// A gzip stream cut before its first block ends here,
				// with nothing decompressed: cut, not empty.
				return nil, errors.New("the file is cut before its first entry: the download or export was interrupted; fetch or export it again")
			case err != io.EOF:
				return nil, fmt.Errorf("the file cannot be read: %w", err)
			case skipped == 0:
				return nil, errors.New("the file is empty: export the capture again from the browser's Network panel")
			}
			return nil, errors.New("this is not a HAR capture: there is no JSON object in the file")
		}
		if b[0] == '{' || b[0] == '[' {
			break
		}
		if skipped > 4096 {
			return nil, errors.New("this is not a HAR capture: it does not start with a JSON object")
		}
		_, _ = br.Discard(1)
		skipped++
	}
	// Reads of the scanner's buffer size go past br's buffer, straight
	// into the scanner's.
	rd.sc = newScanner(br, 64<<10)
	rd.base = skipped
	rd.start = bom + skipped
	if gzipped && opts.Spool == nil {
		rd.start = -1
	}
	if gzipped {
		rd.sc.limit = 64 * maxValue
		if opts.tokenLimit > 0 {
			rd.sc.limit = opts.tokenLimit
		}
	}
	return rd, nil
}

// readerMax is the longest value a reader with opts keeps.
func readerMax(opts Options) int {
	maxValue := opts.MaxValue
	if maxValue <= 0 {
		maxValue = DefaultMaxValue
	}
	return int(min(maxValue, 1<<40))
}

// Close releases a gzip stream.
func (r *Reader) Close() error {
	for _, c := range r.closers {
		_ = c.Close()
	}
	return nil
}

// Log returns what is known about the capture so far (pages written after
// the entries are known only once Next has returned io.EOF).
func (r *Reader) Log() Log {
	l := r.log
	if more := r.capped - len(l.Notes); more > 0 {
		l.Notes = append(l.Notes[:len(l.Notes):len(l.Notes)], fmt.Sprintf("and %d more values over the cap", more))
	}
	return l
}

// Count is the number of entries returned so far.
func (r *Reader) Count() int { return r.n }

// Next returns the next entry, io.EOF after the last one.
func (r *Reader) Next() (*Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	e, err := r.next()
	if err != nil {
		r.err = r.wrap(err)
		return nil, r.err
	}
	return e, nil
}

func (r *Reader) wrap(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var fe *fieldError
	if errors.Is(err, ErrNotHAR) || errors.As(err, &fe) {
		return err
	}
	if err == errTooBig {
		return &LimitError{Entries: r.n, Where: r.where(), Limit: r.sc.limit}
	}
	var tr *truncated
	if errors.As(err, &tr) {
		line, col := r.sc.position(tr.off)
		return &TruncatedError{Entries: r.n, Line: line, Column: col}
	}
	off := r.sc.abs()
	var se *scanError
	if errors.As(err, &se) {
		off = se.off
	}
	line, col := r.sc.position(off)
	if se != nil && se.line > 0 {
		line, col = se.line, se.col
	}
	return &SyntaxError{Line: line, Column: col, Offset: off + r.base, Msg: err.Error()}
}

// position converts a stream offset at or after the last newline crossed
// into line and column (1-based).
func (s *scanner) position(off int64) (int, int) {
	if off < s.lineAt {
		return s.lines + 1, 0
	}
	return s.lines + 1, int(off-s.lineAt) + 1
}

// where names the value being read, for errors and notes.
func (r *Reader) where() string {
	if r.state == 1 && len(r.path) >= 2 {
		if len(r.path) == 2 {
			return fmt.Sprintf("entry %d", r.n)
		}
		if r.header != "" && len(r.path) > 2 {
			return fmt.Sprintf("entry %d, the %s header %s", r.n, r.path[2], r.header)
		}
		return fmt.Sprintf("entry %d, %s", r.n, strings.Join(r.path[2:], "."))
	}
	if len(r.path) == 0 {
		return "the top level"
	}
	return strings.Join(r.path, ".")
}

type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

func (r *Reader) next() (*Entry, error) {
	s := r.sc
	if r.state == 0 {
		c, err := s.peek()
		if err != nil {
			return nil, err
		}
		if c != '{' {
			return nil, ErrNotHAR
		}
		s.structural()
		if err := r.seekLog(); err != nil {
			return nil, err
		}
		// Inside "log": read members until "entries".
		for first := true; r.state == 0; first = false {
			more, err := r.member(first)
			if err != nil {
				return nil, err
			}
			if !more {
				return nil, ErrNotHAR
			}
			k, err := r.key()
			if err != nil {
				return nil, err
			}
			r.path = append(r.path[:1], k)
			if k != "entries" {
				if err := r.readLogField(k); err != nil {
					return nil, err
				}
				continue
			}
			c, err := s.peek()
			if err != nil {
				return nil, err
			}
			if c != '[' {
				return nil, &fieldError{"log.entries is not an array: this is not a valid HAR"}
			}
			s.structural()
			r.state, r.first = 1, true
		}
	}
	if r.state == 1 {
		more, err := r.element(r.first)
		if err != nil {
			return nil, err
		}
		r.first = false
		if more {
			e, err := r.readEntry()
			if err != nil {
				return nil, err
			}
			e.Index = r.n
			r.n++
			return e, nil
		}
		r.state = 2
	}
	// After the entries: read the rest of "log" for pages written later.
	for {
		more, err := r.member(false)
		if err != nil {
			return nil, err
		}
		if !more {
			return nil, io.EOF
		}
		k, err := r.key()
		if err != nil {
			return nil, err
		}
		r.path = append(r.path[:1], k)
		if err := r.readLogField(k); err != nil {
			return nil, err
		}
	}
}

// seekLog skips top-level members until "log" and enters it.
func (r *Reader) seekLog() error {
	s := r.sc
	for first := true; ; first = false {
		more, err := r.member(first)
		if err != nil {
			return err
		}
		if !more {
			return ErrNotHAR
		}
		k, err := r.key()
		if err != nil {
			return err
		}
		if k == "log" {
			c, err := s.peek()
			if err != nil {
				return err
			}
			if c != '{' {
				return ErrNotHAR
			}
			s.structural()
			r.path = append(r.path[:0], "log")
			return nil
		}
		if err := r.skip(); err != nil {
			return err
		}
	}
}

// member moves to the next member of an object: true before its name,
// false past the closing brace. Misplaced delimiters are reported as
// jsontext reports them: at the delimiter, saying what was expected.
func (r *Reader) member(first bool) (bool, error) {
	c, at, err := r.delim(!first, "after object value (expecting ',' or '}')")
	if err != nil {
		return false, err
	}
	s := r.sc
	switch c {
	case '}':
		s.structural()
		return false, nil
	case '"':
		return true, nil
	case ']':
		if first {
			return false, s.invalid("at start of value")
		}
		return false, s.invalid("after object value (expecting ',' or '}')")
	case '{', '[':
		return false, &scanError{off: at, msg: "object member name must be a string"}
	}
	// A literal or number where a name should be: jsontext reads it
	// first, then refuses it.
	if err := s.skip(c); err != nil {
		return false, err
	}
	return false, &scanError{off: at, msg: "object member name must be a string"}
}

// element moves to the next element of an array: true before it, false
// past the closing bracket.
func (r *Reader) element(first bool) (bool, error) {
	c, _, err := r.delim(!first, "after array element (expecting ',' or ']')")
	if err != nil {
		return false, err
	}
	s := r.sc
	switch c {
	case ']':
		s.structural()
		return false, nil
	case '}':
		if first {
			return false, s.invalid("at start of value")
		}
		return false, s.invalid("after array element (expecting ',' or ']')")
	}
	return true, nil
}

// delim reads the comma due before the next member or element (none
// before the first, none before a closing bracket) and returns the byte
// after it and where that is.
func (r *Reader) delim(comma bool, where string) (byte, int64, error) {
	s := r.sc
	c, err := s.peek()
	if err != nil {
		return 0, 0, err
	}
	at, line, lineAt := s.abs(), s.lines+1, s.lineAt
	var got byte
	if c == ',' || c == ':' {
		got = c
		s.structural()
		if c, err = s.peek(); err != nil {
			return 0, 0, err
		}
	}
	var want byte
	if comma && c != '}' && c != ']' {
		want = ','
	}
	if got != want {
		if want == 0 {
			where = "at start of value"
		}
		if got != 0 {
			return 0, 0, invalidByte(at, got, where, line, lineAt)
		}
		return 0, 0, s.invalid(where)
	}
	return c, s.abs(), nil
}

// key reads a member name and its colon. Names are interned: a capture
// repeats the same few hundred.
func (r *Reader) key() (string, error) {
	s := r.sc
	v, over, _, err := s.str(r.max)
	if err != nil {
		return "", err
	}
	k := ""
	if !over {
		k = r.keys.get(v)
	}
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	at := s.abs()
	if c == ',' {
		return "", s.invalid("after object name (expecting ':')")
	}
	if c == ':' {
		s.structural()
		if c, err = s.peek(); err != nil {
			return "", err
		}
	}
	if s.abs() == at {
		return "", s.invalid("after object name (expecting ':')")
	}
	return k, nil
}

// nextKey is member then key: true with the next member's name, read
// past its colon and the whitespace after it, or false past the closing
// brace. A member laid out as writers lay them out (`, "name": ` on one
// line or indented) is read here from the buffer, and one only when it
// ends in the buffer; anything else is left to member and key, from where
// nextKey found it, so that the errors are theirs.
func (r *Reader) nextKey(first bool) (string, bool, error) {
	s := r.sc
	b := s.buf[:s.end]
	p, nl, last := s.pos, 0, -1
	if p < len(b) && b[p] <= ' ' {
		p, nl, last = space(b, p, nl, last)
	}
	if p < len(b) && b[p] == '}' {
		s.pos = p + 1
		s.crossed(nl, last)
		s.mark = s.abs()
		return "", false, nil
	}
	if !first {
		if p >= len(b) || b[p] != ',' {
			return r.slowKey(first)
		}
		p++
		if p < len(b) && b[p] <= ' ' {
			p, nl, last = space(b, p, nl, last)
		}
	}
	if p >= len(b) || b[p] != '"' {
		return r.slowKey(first)
	}
	q := p + 1
	k, e := r.keys.short(b, q)
	if e < 0 {
		e = q + plain(b[q:])
		if e >= len(b) || b[e] != '"' {
			return r.slowKey(first)
		}
		k = ""
	}
	if e-q > r.max {
		return r.slowKey(first)
	}
	p = e + 1
	if p < len(b) && b[p] <= ' ' {
		p, nl, last = space(b, p, nl, last)
	}
	if p >= len(b) || b[p] != ':' {
		return r.slowKey(first)
	}
	p++
	colon := p
	if p < len(b) && b[p] <= ' ' {
		p, nl, last = space(b, p, nl, last)
	}
	if p >= len(b) {
		return r.slowKey(first)
	}
	if k == "" && e > q {
		k = r.keys.get(b[q:e])
	}
	s.pos = p
	s.crossed(nl, last)
	s.mark = s.off + int64(colon)
	return k, true, nil
}

func (r *Reader) slowKey(first bool) (string, bool, error) {
	more, err := r.member(first)
	if err != nil || !more {
		return "", false, err
	}
	k, err := r.key()
	return k, true, err
}

func (r *Reader) readLogField(name string) error {
	switch name {
	case "version":
		s, err := r.istr()
		r.log.Version = s
		return err
	case "creator", "browser":
		var nm, ver string
		err := r.object(func(k string) error {
			var err error
			switch k {
			case "name":
				nm, err = r.str()
			case "version":
				ver, err = r.str()
			default:
				err = r.skip()
			}
			return err
		})
		s := strings.TrimSpace(nm + " " + ver)
		if name == "creator" {
			r.log.Creator = s
		} else {
			r.log.Browser = s
		}
		return err
	case "pages":
		return r.array(func() error {
			var p Page
			err := r.object(func(k string) error {
				var err error
				switch k {
				case "id":
					p.ID, err = r.str()
				case "title":
					p.Title, err = r.str()
				case "startedDateTime":
					p.StartedDateTime, err = r.str()
				default:
					err = r.skip()
				}
				return err
			})
			r.log.Pages = append(r.log.Pages, p)
			return err
		})
	}
	return r.skip()
}

// object reads an object (or null) calling fn for each key; anything else
// is skipped.
func (r *Reader) object(fn func(key string) error) error {
	s := r.sc
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return s.literal("null")
	case '{':
	default:
		return s.skip(c)
	}
	s.structural()
	depth := len(r.path)
	for first := true; ; first = false {
		k, more, err := r.nextKey(first)
		if err != nil {
			return err
		}
		if !more {
			r.path = r.path[:depth]
			return nil
		}
		r.path = append(r.path[:depth], k)
		if err := fn(k); err != nil {
			return err
		}
	}
}

// array reads an array (or null) calling fn for each element; anything
// else is skipped.
func (r *Reader) array(fn func() error) error {
	s := r.sc
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return s.literal("null")
	case '[':
	default:
		return s.skip(c)
	}
	s.structural()
	for first := true; ; first = false {
		more, err := r.element(first)
		if err != nil || !more {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
}

// skip crosses the next value without keeping it.
func (r *Reader) skip() error {
	c, err := r.sc.peek()
	if err != nil {
		return err
	}
	return r.sc.skip(c)
}

// str reads a string; null, numbers and booleans are turned into text.
func (r *Reader) str() (string, error) { return r.text(false) }

// istr is str for the values a capture repeats (methods, versions,
// status texts, mime types, header names and values, cookies): each is
// made a string once and shared.
func (r *Reader) istr() (string, error) { return r.text(true) }

func (r *Reader) text(intern bool) (string, error) {
	s := r.sc
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	switch {
	case c == '"' && intern:
		b := s.buf[:s.end]
		if p, e, ok := scanPacked(b, s.pos+1); ok && e-s.pos-1 <= r.max {
			v := b[s.pos+1 : e]
			s.pos = e + 1
			return r.in.packed(p, v), nil
		}
		fallthrough
	case c == '"':
		v, over, size, err := s.str(r.max)
		switch {
		case err != nil:
			return "", err
		case over:
			r.overflow(size)
			return "", nil
		case intern:
			return r.in.get(v), nil
		}
		return string(v), nil
	case c == 'n':
		return "", s.literal("null")
	case c == 't':
		return "true", s.literal("true")
	case c == 'f':
		return "false", s.literal("false")
	case c == '-' || '0' <= c && c <= '9':
		v, over, err := s.number(true, r.max)
		switch {
		case err != nil:
			return "", err
		case over:
			r.overflow(-1)
			return "", nil
		}
		return string(v), nil
	}
	return "", s.skip(c)
}

// num reads a number (or a numeric string); anything else is 0.
func (r *Reader) num() (float64, error) {
	s := r.sc
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	switch {
	case c == '-' || '0' <= c && c <= '9':
		v, over, err := s.number(true, r.max)
		switch {
		case err != nil:
			return 0, err
		case over:
			r.overflow(-1)
			return 0, nil
		}
		if f, ok := smallInt(v); ok {
			return f, nil
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return f, &scanError{off: s.abs(), msg: fmt.Sprintf("the number %.40s is out of range", v)}
		}
		return f, nil
	case c == '"':
		v, over, size, err := s.str(r.max)
		switch {
		case err != nil:
			return 0, err
		case over:
			r.overflow(size)
			return 0, nil
		}
		f, _ := strconv.ParseFloat(strings.TrimSpace(string(v)), 64)
		return f, nil
	}
	return 0, s.skip(c)
}

// smallInt is the value of an integer of up to 15 digits (statuses and
// sizes), exact in a float64 as ParseFloat would give it; ok is false for
// any other number.
func smallInt(v []byte) (float64, bool) {
	d := v
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 15 {
		return 0, false
	}
	n := int64(0)
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if len(d) < len(v) {
		if n == 0 {
			return 0, false // -0, as ParseFloat makes it
		}
		n = -n
	}
	return float64(n), true
}

func (r *Reader) boolean() (bool, error) {
	s := r.sc
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	}
	return false, s.skip(c)
}

// overflow notes a value over the cap (size -1: not measured).
func (r *Reader) overflow(size int64) {
	r.capped++
	if r.state == 1 {
		if n := len(r.log.Capped); (n == 0 || r.log.Capped[n-1] != r.n) && n < 50 {
			r.log.Capped = append(r.log.Capped, r.n)
		}
	}
	if len(r.log.Notes) >= 20 {
		return
	}
	what := "is over"
	if size >= 0 {
		what = "is " + FormatSize(size) + ", over"
	}
	r.log.Notes = append(r.log.Notes, fmt.Sprintf("%s %s the %s cap (--max-value): left out", r.where(), what, FormatSize(int64(r.max))))
}

// headerName reads a header's name: in Lean mode one that is not kept is
// never made a string.
func (r *Reader) headerName() (name string, keep bool, err error) {
	s := r.sc
	c, err := s.peek()
	if err != nil || c != '"' {
		if err == nil {
			name, err = r.str()
		}
		return name, !r.opts.Lean || isLean(name), err
	}
	b := s.buf[:s.end]
	if p, e, ok := scanPacked(b, s.pos+1); ok && e-s.pos-1 <= r.max {
		v := b[s.pos+1 : e]
		s.pos = e + 1
		name, keep = r.names.packedName(p, v, r.opts.Lean)
		return name, keep, nil
	}
	v, over, size, err := s.str(r.max)
	switch {
	case err != nil:
		return "", false, err
	case over:
		r.overflow(size)
		return "", !r.opts.Lean, nil
	}
	name, keep = r.names.name(v, r.opts.Lean)
	return name, keep, nil
}

// headers reads a headers array into scratch, which the slice returned
// shares: readEntry copies both halves' into one array (ownHeaders).
func (r *Reader) headers(scratch *[]Header) ([]Header, error) {
	hs := (*scratch)[:0]
	err := r.array(func() error {
		if fastHeaders {
			var ok bool
			if hs, ok = r.header1(hs); ok {
				return nil
			}
		}
		var h Header
		keep := true
		err := r.object(func(k string) error {
			var err error
			switch k {
			case "name":
				var lean bool
				h.Name, lean, err = r.headerName()
				if !lean {
					h.Name, keep = "", false
				}
			case "value":
				if !keep {
					return r.skip()
				}
				r.header = h.Name
				h.Value, err = r.istr()
				r.header = ""
			default:
				err = r.skip()
			}
			return err
		})
		// In Lean mode a name is set only when kept.
		if h.Name != "" {
			hs = append(hs, h)
		}
		return err
	})
	*scratch = hs[:0]
	if err != nil || len(hs) == 0 {
		return nil, err
	}
	return hs, nil
}

// fastHeaders is whether headers reads a header object with header1 when
// it can (tests turn it off to compare with the general reading).
var fastHeaders = true

// header1 reads the header object at pos when it ends in the buffer and is
// laid out as exporters write headers: `{"name": "…", "value": "…"}`, in
// that order, with any whitespace, the name a plain string of under 32
// bytes, a kept value a plain string (ASCII without escapes or controls)
// and a dropped one a string without a raw newline. It reads it as object,
// headerName and istr would, without their member-by-member steps, and
// appends it to hs when it is kept. Anything else it leaves at pos (false)
// for the general reading, which reports its errors.
func (r *Reader) header1(hs []Header) ([]Header, bool) {
	s := r.sc
	b := s.buf[:s.end]
	p, nl, last := s.pos, 0, -1
	if p >= len(b) || b[p] != '{' {
		return hs, false
	}
	p, nl, last = space(b, p+1, nl, last)
	if p+6 > len(b) || string(b[p:p+6]) != `"name"` {
		return hs, false
	}
	p, nl, last = space(b, p+6, nl, last)
	if p >= len(b) || b[p] != ':' {
		return hs, false
	}
	p, nl, last = space(b, p+1, nl, last)
	if p >= len(b) || b[p] != '"' {
		return hs, false
	}
	pk, e, ok := scanPacked(b, p+1)
	if !ok || e-p-1 > r.max {
		return hs, false
	}
	nameAt := p + 1
	p, nl, last = space(b, e+1, nl, last)
	if p >= len(b) || b[p] != ',' {
		return hs, false
	}
	p, nl, last = space(b, p+1, nl, last)
	if p+7 > len(b) || string(b[p:p+7]) != `"value"` {
		return hs, false
	}
	p, nl, last = space(b, p+7, nl, last)
	if p >= len(b) || b[p] != ':' {
		return hs, false
	}
	p, nl, last = space(b, p+1, nl, last)
	if p >= len(b) || b[p] != '"' {
		return hs, false
	}
	v := p + 1
	// The name is looked up only now: a dropped header's value need not
	// be a plain string.
	name, keep := r.names.packedName(pk, b[nameAt:e], r.opts.Lean)
	var value string
	if keep {
		if vp, ve, ok := scanPacked(b, v); ok && ve-v <= r.max {
			value, e = r.in.packed(vp, b[v:ve]), ve
		} else {
			n := plain(b[v:])
			if v+n >= len(b) || b[v+n] != '"' || n > r.max {
				return hs, false
			}
			value, e = r.in.get(b[v:v+n]), v+n
		}
	} else {
		q := plain(b[v:])
		if v+q >= len(b) || b[v+q] != '"' {
			var clean int
			q, _, clean = stringEnd(b[v:], false)
			if q < 0 || bytes.IndexByte(b[v+min(clean, q):v+q], '\n') >= 0 {
				return hs, false
			}
		}
		name, e = "", v+q
	}
	p, nl, last = space(b, e+1, nl, last)
	if p >= len(b) || b[p] != '}' {
		return hs, false
	}
	s.pos = p + 1
	s.crossed(nl, last)
	s.mark = s.abs()
	if name != "" {
		hs = append(hs, Header{Name: name, Value: value})
	}
	return hs, true
}

// ownHeaders gives e's request and response headers, read into the
// reader's scratch, one array of their own.
func ownHeaders(e *Entry) {
	req, resp := e.Request.Headers, e.Response.Headers
	if len(req)+len(resp) == 0 {
		return
	}
	all := make([]Header, len(req)+len(resp))
	copy(all, req)
	copy(all[len(req):], resp)
	e.Request.Headers, e.Response.Headers = nil, nil
	if len(req) > 0 {
		e.Request.Headers = all[:len(req):len(req)]
	}
	if len(resp) > 0 {
		e.Response.Headers = all[len(req):]
	}
}

func (r *Reader) cookies() ([]Cookie, error) {
	cs := r.cks[:0]
	err := r.array(func() error {
		var c Cookie
		err := r.object(func(k string) error {
			var err error
			switch k {
			case "name":
				c.Name, err = r.istr()
			case "value":
				c.Value, err = r.istr()
			case "path":
				c.Path, err = r.istr()
			case "domain":
				c.Domain, err = r.istr()
			case "expires":
				c.Expires, err = r.istr()
			case "httpOnly":
				c.HTTPOnly, err = r.boolean()
			case "secure":
				c.Secure, err = r.boolean()
			case "sameSite":
				c.SameSite, err = r.istr()
			default:
				err = r.skip()
			}
			return err
		})
		if c.Name != "" {
			cs = append(cs, c)
		}
		return err
	})
	r.cks = cs[:0]
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return append([]Cookie(nil), cs...), nil
}

func (r *Reader) readEntry() (*Entry, error) {
	e := &Entry{}
	s := r.sc
	if c, err := s.peek(); err != nil {
		return nil, err
	} else if c != '{' {
		if err := s.skip(c); err != nil {
			return nil, err
		}
		return nil, &fieldError{fmt.Sprintf("log.entries[%d] is not an object: this is not a valid HAR", r.n)}
	}
	begin := s.abs()
	err := r.object(func(k string) error {
		var err error
		switch k {
		case "startedDateTime":
			e.Started, err = r.str()
			e.StartedDateTime = parseTime(e.Started)
		case "time":
			e.Time, err = r.num()
		case "pageref":
			e.PageRef, err = r.istr()
		case "_resourceType":
			e.ResourceType, err = r.istr()
		case "request":
			err = r.object(func(k string) error {
				var err error
				switch k {
				case "method":
					e.Request.Method, err = r.istr()
				case "url":
					e.Request.URL, err = r.str()
				case "httpVersion":
					e.Request.HTTPVersion, err = r.istr()
				case "headers":
					e.Request.Headers, err = r.headers(&r.hdrs[0])
				case "cookies":
					e.Request.Cookies, err = r.cookies()
				case "bodySize":
					var f float64
					f, err = r.num()
					e.Request.BodySize = int64(f)
				default:
					err = r.skip()
				}
				return err
			})
		case "response":
			err = r.object(func(k string) error {
				var err error
				switch k {
				case "status":
					var f float64
					f, err = r.num()
					e.Response.Status = int(f)
				case "statusText":
					e.Response.StatusText, err = r.istr()
				case "httpVersion":
					e.Response.HTTPVersion, err = r.istr()
				case "headers":
					e.Response.Headers, err = r.headers(&r.hdrs[1])
				case "cookies":
					e.Response.Cookies, err = r.cookies()
				case "redirectURL":
					e.Response.RedirectURL, err = r.str()
				case "content":
					err = r.object(func(k string) error {
						var err error
						switch k {
						case "size":
							var f float64
							f, err = r.num()
							e.Response.Content.Size = int64(f)
						case "mimeType":
							e.Response.Content.MimeType, err = r.istr()
						case "encoding":
							e.Response.Content.Encoding, err = r.istr()
						case "text":
							c, err := s.peek()
							if err != nil {
								return err
							}
							e.Response.Content.HasText = c == '"'
							if r.opts.KeepBodies {
								e.Response.Content.Text, err = r.str()
							} else {
								err = s.skip(c)
							}
							return err
						default:
							err = r.skip()
						}
						return err
					})
				default:
					err = r.skip()
				}
				return err
			})
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	ownHeaders(e)
	if r.start >= 0 {
		e.Span = Span{Off: r.start + begin, Len: s.abs() - begin}
	}
	return e, nil
}

// ReadEntryAt reads again entry index of a capture file from its Span,
// with the options it was first read with, so that it is the entry the
// capture's read returned.
func ReadEntryAt(ra io.ReaderAt, span Span, index int, opts Options) (*Entry, error) {
	if span.Len <= 0 {
		return nil, fmt.Errorf("entry %d: no place in the file to read it from", index)
	}
	// The span is one entry's object: a buffer of its size (up to the
	// reader's) is read straight from the file, without the sniffing
	// NewReader does for a whole capture.
	rd := &Reader{opts: opts, max: readerMax(opts), start: span.Off}
	rd.sc = newScanner(io.NewSectionReader(ra, span.Off, span.Len), int(min(span.Len+8, 64<<10)))
	rd.state, rd.n = 1, index
	rd.path = append(rd.path[:0], "log", "entries")
	e, err := rd.readEntry()
	if err != nil {
		return nil, fmt.Errorf("entry %d: %w", index, rd.wrap(err))
	}
	e.Index = index
	return e, nil
}

// parseTime reads startedDateTime in the forms exporters write.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// interner shares the strings a capture repeats (the same Cookie header
// on every request, the same few header names and mime types): a
// direct-mapped cache, so its memory is bounded whatever the capture.
// Strings of up to 32 bytes (member and header names, most values it
// sees) are hashed and compared as words read from the bytes in place.
type interner struct {
	slots [1 << slotBits]islot
}

const slotBits = 9

type islot struct {
	s string
	// p and n are s packed (when n <= 32); for header names in Lean mode,
	// a name that is not kept has them and no s.
	p    packed
	n    int32
	lean bool // a header name kept in Lean mode
}

func (in *interner) get(b []byte) string {
	if p, ok := pack(b); ok {
		return in.packed(p, b)
	}
	if len(b) > 4096 {
		return string(b)
	}
	// Two ways: a string goes to the free one of its slot and the next,
	// or else pushes the one in its slot to the next.
	i := quickHash(b) % uint64(len(in.slots))
	if s := in.slots[i].s; s == string(b) {
		return s
	}
	if s := in.slots[i^1].s; s == string(b) {
		return s
	}
	s := string(b)
	switch {
	case in.slots[i].s == "":
		in.slots[i] = islot{s: s, n: -1}
	case in.slots[i^1].s == "":
		in.slots[i^1] = islot{s: s, n: -1}
	default:
		in.slots[i^1], in.slots[i] = in.slots[i], islot{s: s, n: -1}
	}
	return s
}

// short is get for the string that starts at b[q], after its opening
// quote, when it is plain (see plain), ends in b and has fewer than 16
// bytes, as member names do: it returns it and the index of its closing
// quote, else -1. It reads 16 bytes of b's array from q on.
func (in *interner) short(b []byte, q int) (string, int) {
	if q+16 > cap(b) {
		return "", -1
	}
	a := b[q : q+16 : q+16]
	var p packed
	var e int
	p.w0 = binary.LittleEndian.Uint64(a)
	if m := special(p.w0); m != 0 {
		n := bits.TrailingZeros64(m) / 8
		p.w0 &= lowBytes(n)
		e = q + n
	} else {
		p.w1 = binary.LittleEndian.Uint64(a[8:])
		m := special(p.w1)
		if m == 0 {
			return "", -1
		}
		n := bits.TrailingZeros64(m) / 8
		p.w1 &= lowBytes(n)
		e = q + 8 + n
	}
	if e >= len(b) || b[e] != '"' {
		return "", -1
	}
	// slot, inlined for the two words.
	n := e - q
	i := p.index(n)
	if sl := &in.slots[i]; sl.n == int32(n) && sl.p.w0 == p.w0 && sl.p.w1 == p.w1 && sl.p.w2|sl.p.w3 == 0 && sl.s != "" {
		return sl.s, e
	}
	return in.packed(p, b[q:e]), e
}

// packed is get for b packed as p.
func (in *interner) packed(p packed, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	sl := in.slot(p, len(b))
	if sl == nil {
		sl = in.put(p, len(b))
	}
	if sl.s == "" {
		sl.s = string(b)
	}
	return sl.s
}

// name is a header's name, interned, and whether Lean mode keeps it. In
// Lean mode a name that is not kept is not made a string: it is
// remembered packed (up to 32 bytes; a longer name is looked at each time).
func (in *interner) name(b []byte, lean bool) (string, bool) {
	if p, ok := pack(b); ok {
		return in.packedName(p, b, lean)
	}
	if lean && !isLean(b) {
		return "", false
	}
	return in.get(b), true
}

// packedName is name for b packed as p.
func (in *interner) packedName(p packed, b []byte, lean bool) (string, bool) {
	if len(b) == 0 {
		return "", !lean
	}
	sl := in.slot(p, len(b))
	if sl == nil {
		keep := isLean(b)
		sl = in.put(p, len(b))
		sl.lean = keep
		if keep || !lean {
			sl.s = string(b)
		}
	}
	if lean && !sl.lean {
		return "", false
	}
	if sl.s == "" { // remembered in Lean mode, now wanted whole
		sl.s = string(b)
	}
	return sl.s, true
}

// slot finds the packed p of a string of n bytes, nil if absent.
func (in *interner) slot(p packed, n int) *islot {
	i := p.index(n)
	if sl := &in.slots[i]; sl.n == int32(n) && sl.p == p {
		return sl
	}
	if sl := &in.slots[i^1]; sl.n == int32(n) && sl.p == p {
		return sl
	}
	return nil
}

// put makes room for the packed p of a string of n bytes, as get does
// for a longer string, and returns its slot, to be filled.
func (in *interner) put(p packed, n int) *islot {
	i := p.index(n)
	switch {
	case in.slots[i].n == 0:
	case in.slots[i^1].n == 0:
		i ^= 1
	default:
		in.slots[i^1] = in.slots[i]
	}
	in.slots[i] = islot{p: p, n: int32(n)}
	return &in.slots[i]
}

// packed is a string of up to 32 bytes as four little-endian words,
// padded with zeros.
type packed struct{ w0, w1, w2, w3 uint64 }

// index is the slot of p, a string of n bytes, in an interner: the top
// bits of a multiplicative hash.
func (p packed) index(n int) uint64 {
	x := p.w0 ^ p.w1*0xff51afd7ed558ccd ^ p.w2*0xc4ceb9fe1a85ec53 ^ p.w3*0xbf58476d1ce4e5b9 ^ uint64(n)
	return x * 0x9e3779b97f4a7c15 >> (64 - slotBits)
}

// pack packs b. It reads the bytes of b's array after b (so it reports
// false near the array's end, and for a longer b) and masks them.
func pack(b []byte) (p packed, ok bool) {
	n := len(b)
	if n > 32 || cap(b) < 32 {
		return p, false
	}
	a := b[:32:32]
	p.w0 = binary.LittleEndian.Uint64(a)
	switch {
	case n < 8:
		p.w0 &= lowBytes(n)
	case n < 16:
		p.w1 = binary.LittleEndian.Uint64(a[8:]) & lowBytes(n-8)
	case n < 24:
		p.w1 = binary.LittleEndian.Uint64(a[8:])
		p.w2 = binary.LittleEndian.Uint64(a[16:]) & lowBytes(n-16)
	default:
		p.w1 = binary.LittleEndian.Uint64(a[8:])
		p.w2 = binary.LittleEndian.Uint64(a[16:])
		p.w3 = binary.LittleEndian.Uint64(a[24:]) & lowBytes(n-24)
	}
	return p, true
}

// lowBytes keeps the first k bytes of a little-endian word, 0 <= k <= 8.
func lowBytes(k int) uint64 { return ^(^uint64(0) << (8 * k)) }

// scanPacked reads the string that starts at b[q], after its opening
// quote, when it is plain (see plain), ends in b and has fewer than 32
// bytes: it returns it packed and the index of its closing quote. It
// reads up to 32 bytes of b's array from q on.
func scanPacked(b []byte, q int) (p packed, e int, ok bool) {
	if q+32 > cap(b) {
		return p, 0, false
	}
	a := b[q : q+32 : q+32]
	var w [4]uint64
	for i := range w {
		x := binary.LittleEndian.Uint64(a[8*i:])
		if m := special(x); m != 0 {
			k := bits.TrailingZeros64(m) / 8
			w[i] = x & lowBytes(k)
			e = q + 8*i + k
			if e >= len(b) || b[e] != '"' {
				return p, 0, false
			}
			return packed{w[0], w[1], w[2], w[3]}, e, true
		}
		w[i] = x
	}
	return p, 0, false
}

// quickHash spreads the strings of a capture over a cache: its length and
// first and last eight bytes (a hash of the whole string would cost more
// than the copy it saves). Strings it confuses only miss the cache.
func quickHash(b []byte) uint64 {
	const m = 0x9e3779b97f4a7c15
	n := len(b)
	x := uint64(n) * m
	if n >= 8 {
		x = (x ^ binary.LittleEndian.Uint64(b)) * m
		x = (x ^ binary.LittleEndian.Uint64(b[n-8:])) * m
	} else {
		for _, c := range b {
			x = (x ^ uint64(c)) * m
		}
	}
	return x ^ x>>29
}
