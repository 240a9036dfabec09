package har

// The reader as it was on jsontext, kept as the reference the byte
// scanner is checked against (TestReaderMatchesReference, FuzzReader) and
// measured against (BenchmarkReader/jsontext).

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// refReader is the jsontext reader.
type refReader struct {
	dec     *jsontext.Decoder
	src     *refLineCounter
	opts    Options
	log     Log
	n       int
	state   int // 0 before entries, 1 in entries, 2 after
	closers []io.Closer
	err     error
}

// newRefReader is NewReader on jsontext. It detects gzip, a UTF-8 BOM and
// a JSONP wrapper such as onInputData({...}).
func newRefReader(r io.Reader, opts Options) (*refReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	rd := &refReader{opts: opts}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("the file looks gzip-compressed but does not decompress: %v", err)
		}
		rd.closers = append(rd.closers, gz)
		br = bufio.NewReaderSize(gz, 64<<10)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
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
				return nil, fmt.Errorf("the file cannot be read: %v", err)
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
	rd.src = &refLineCounter{r: br, base: skipped}
	rd.dec = jsontext.NewDecoder(rd.src, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	return rd, nil
}

// Close releases a gzip stream.
func (r *refReader) Close() error {
	for _, c := range r.closers {
		_ = c.Close()
	}
	return nil
}

// Log returns what is known about the capture so far (pages written after
// the entries are known only once Next has returned io.EOF).
func (r *refReader) Log() Log { return r.log }

// Count is the number of entries returned so far.
func (r *refReader) Count() int { return r.n }

// Next returns the next entry, io.EOF after the last one.
func (r *refReader) Next() (*Entry, error) {
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

func (r *refReader) wrap(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var te *TruncatedError
	if errors.As(err, &te) || errors.Is(err, ErrNotHAR) {
		return err
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return err
	}
	off := r.dec.InputOffset()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		off = se.ByteOffset
	}
	line, col := r.src.position(off)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &TruncatedError{Entries: r.n, Line: line, Column: col}
	}
	msg := err.Error()
	if se != nil && se.Err != nil {
		msg = se.Err.Error()
	}
	msg = strings.TrimPrefix(msg, "jsontext: ")
	return &SyntaxError{Line: line, Column: col, Offset: off + r.src.base, Msg: msg}
}

func (r *refReader) next() (*Entry, error) {
	d := r.dec
	for r.state == 0 {
		if d.StackDepth() == 0 {
			if d.PeekKind() != '{' {
				return nil, ErrNotHAR
			}
			if _, err := d.ReadToken(); err != nil {
				return nil, err
			}
			if err := r.seekLog(); err != nil {
				return nil, err
			}
			continue
		}
		// Inside "log": read keys until "entries".
		if d.PeekKind() == '}' {
			return nil, ErrNotHAR
		}
		k, err := d.ReadToken()
		if err != nil {
			return nil, err
		}
		switch k.String() {
		case "entries":
			if d.PeekKind() != '[' {
				return nil, &fieldError{"log.entries is not an array: this is not a valid HAR"}
			}
			if _, err := d.ReadToken(); err != nil {
				return nil, err
			}
			r.state = 1
		default:
			if err := r.readLogField(k.String()); err != nil {
				return nil, err
			}
		}
	}
	if r.state == 1 {
		if d.PeekKind() == ']' {
			if _, err := d.ReadToken(); err != nil {
				return nil, err
			}
			r.state = 2
		} else {
			e, err := r.readEntry()
			if err != nil {
				return nil, err
			}
			e.Index = r.n
			r.n++
			return e, nil
		}
	}
	// After the entries: read the rest of "log" for pages written later.
	for d.StackDepth() >= 2 {
		if d.PeekKind() == '}' {
			if _, err := d.ReadToken(); err != nil {
				return nil, err
			}
			break
		}
		k, err := d.ReadToken()
		if err != nil {
			return nil, err
		}
		if err := r.readLogField(k.String()); err != nil {
			return nil, err
		}
	}
	return nil, io.EOF
}

// seekLog skips top-level keys until "log" and enters it.
func (r *refReader) seekLog() error {
	d := r.dec
	for {
		if d.PeekKind() == '}' {
			return ErrNotHAR
		}
		k, err := d.ReadToken()
		if err != nil {
			return err
		}
		if k.String() == "log" {
			if d.PeekKind() != '{' {
				return ErrNotHAR
			}
			_, err := d.ReadToken()
			return err
		}
		if err := d.SkipValue(); err != nil {
			return err
		}
	}
}

func (r *refReader) readLogField(name string) error {
	d := r.dec
	switch name {
	case "version":
		s, err := r.str()
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
				err = d.SkipValue()
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
					err = d.SkipValue()
				}
				return err
			})
			r.log.Pages = append(r.log.Pages, p)
			return err
		})
	}
	return d.SkipValue()
}

// object reads an object (or null) calling fn for each key.
func (r *refReader) object(fn func(key string) error) error {
	d := r.dec
	switch d.PeekKind() {
	case 'n':
		_, err := d.ReadToken()
		return err
	case '{':
	default:
		return d.SkipValue()
	}
	if _, err := d.ReadToken(); err != nil {
		return err
	}
	for d.PeekKind() != '}' {
		k, err := d.ReadToken()
		if err != nil {
			return err
		}
		if err := fn(k.String()); err != nil {
			return err
		}
	}
	_, err := d.ReadToken()
	return err
}

// array reads an array (or null) calling fn for each element.
func (r *refReader) array(fn func() error) error {
	d := r.dec
	switch d.PeekKind() {
	case 'n':
		_, err := d.ReadToken()
		return err
	case '[':
	default:
		return d.SkipValue()
	}
	if _, err := d.ReadToken(); err != nil {
		return err
	}
	for d.PeekKind() != ']' {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err := d.ReadToken()
	return err
}

// str reads a string; null, numbers and booleans are turned into text.
func (r *refReader) str() (string, error) {
	d := r.dec
	switch d.PeekKind() {
	case '"':
		t, err := d.ReadToken()
		if err != nil {
			return "", err
		}
		return t.String(), nil
	case 'n':
		_, err := d.ReadToken()
		return "", err
	case '0', 't', 'f':
		t, err := d.ReadToken()
		if err != nil {
			return "", err
		}
		return t.String(), nil
	}
	return "", d.SkipValue()
}

// num reads a number (or a numeric string); anything else is 0.
func (r *refReader) num() (float64, error) {
	d := r.dec
	switch d.PeekKind() {
	case '0':
		t, err := d.ReadToken()
		if err != nil {
			return 0, err
		}
		return t.Float()
	case '"':
		t, err := d.ReadToken()
		if err != nil {
			return 0, err
		}
		f, _ := strconv.ParseFloat(strings.TrimSpace(t.String()), 64)
		return f, nil
	}
	return 0, d.SkipValue()
}

func (r *refReader) boolean() (bool, error) {
	d := r.dec
	switch d.PeekKind() {
	case 't', 'f':
		t, err := d.ReadToken()
		return err == nil && t.Bool(), err
	}
	return false, d.SkipValue()
}

func (r *refReader) headers() ([]Header, error) {
	var out []Header
	err := r.array(func() error {
		var h Header
		keep := true
		err := r.object(func(k string) error {
			var err error
			switch k {
			case "name":
				h.Name, err = r.str()
				if r.opts.Lean && !isLean(h.Name) {
					keep = false
				}
			case "value":
				if !keep {
					return r.dec.SkipValue()
				}
				h.Value, err = r.str()
			default:
				err = r.dec.SkipValue()
			}
			return err
		})
		if h.Name != "" && (!r.opts.Lean || isLean(h.Name)) {
			out = append(out, h)
		}
		return err
	})
	return out, err
}

func (r *refReader) cookies() ([]Cookie, error) {
	var out []Cookie
	err := r.array(func() error {
		var c Cookie
		err := r.object(func(k string) error {
			var err error
			switch k {
			case "name":
				c.Name, err = r.str()
			case "value":
				c.Value, err = r.str()
			case "path":
				c.Path, err = r.str()
			case "domain":
				c.Domain, err = r.str()
			case "expires":
				c.Expires, err = r.str()
			case "httpOnly":
				c.HTTPOnly, err = r.boolean()
			case "secure":
				c.Secure, err = r.boolean()
			case "sameSite":
				c.SameSite, err = r.str()
			default:
				err = r.dec.SkipValue()
			}
			return err
		})
		if c.Name != "" {
			out = append(out, c)
		}
		return err
	})
	return out, err
}

func (r *refReader) readEntry() (*Entry, error) {
	e := &Entry{}
	d := r.dec
	if d.PeekKind() != '{' {
		if err := d.SkipValue(); err != nil {
			return nil, err
		}
		return nil, &fieldError{fmt.Sprintf("log.entries[%d] is not an object: this is not a valid HAR", r.n)}
	}
	err := r.object(func(k string) error {
		var err error
		switch k {
		case "startedDateTime":
			e.Started, err = r.str()
			e.StartedDateTime = parseTime(e.Started)
		case "time":
			e.Time, err = r.num()
		case "pageref":
			e.PageRef, err = r.str()
		case "_resourceType":
			e.ResourceType, err = r.str()
		case "request":
			err = r.object(func(k string) error {
				var err error
				switch k {
				case "method":
					e.Request.Method, err = r.str()
				case "url":
					e.Request.URL, err = r.str()
				case "httpVersion":
					e.Request.HTTPVersion, err = r.str()
				case "headers":
					e.Request.Headers, err = r.headers()
				case "cookies":
					e.Request.Cookies, err = r.cookies()
				case "bodySize":
					var f float64
					f, err = r.num()
					e.Request.BodySize = int64(f)
				default:
					err = d.SkipValue()
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
					e.Response.StatusText, err = r.str()
				case "httpVersion":
					e.Response.HTTPVersion, err = r.str()
				case "headers":
					e.Response.Headers, err = r.headers()
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
							e.Response.Content.MimeType, err = r.str()
						case "encoding":
							e.Response.Content.Encoding, err = r.str()
						case "text":
							e.Response.Content.HasText = d.PeekKind() == '"'
							if r.opts.KeepBodies {
								e.Response.Content.Text, err = r.str()
							} else {
								err = d.SkipValue()
							}
						default:
							err = d.SkipValue()
						}
						return err
					})
				default:
					err = d.SkipValue()
				}
				return err
			})
		default:
			err = d.SkipValue()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// parseTime reads startedDateTime in the forms exporters write.
type refLineCounter struct {
	r     io.Reader
	n     int64 // bytes read
	base  int64 // bytes skipped before (BOM, JSONP prefix)
	lines int   // newlines before prev
	prev  []byte
	cur   []byte
	curAt int64 // offset of cur[0]
}

func (c *refLineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.lines += bytes.Count(c.prev, []byte{'\n'})
		c.prev, c.cur = c.cur, append(c.prev[:0], p[:n]...)
		c.curAt = c.n
		c.n += int64(n)
	}
	return n, err
}

// position converts a byte offset into line and column (1-based).
func (c *refLineCounter) position(off int64) (int, int) {
	win := append(append([]byte(nil), c.prev...), c.cur...)
	winAt := c.curAt - int64(len(c.prev))
	if off < winAt {
		return c.lines + 1, 0
	}
	rel := int(off - winAt)
	if rel > len(win) {
		rel = len(win)
	}
	before := win[:rel]
	line := c.lines + 1 + bytes.Count(before, []byte{'\n'})
	col := rel + 1
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		col = rel - i
	}
	return line, col
}
