package har

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner is the reader's JSON tokenizer. It reads the capture through one
// fixed buffer and never holds a value it skips: a skipped string is
// crossed with a search for its closing quote (closingQuote, sixteen bytes
// at a time), a skipped object or array token by token without decoding
// its strings, so
// a 1 GiB body costs the buffer and nothing more. The values the reader
// keeps are decoded into a scratch buffer up to a cap. Strings are decoded
// as jsontext decodes them with AllowInvalidUTF8 (invalid UTF-8 and lone
// surrogates become U+FFFD) and the grammar is checked as jsontext checks
// it, but for what a skipped string holds: only a raw newline is refused
// there (escapes and other controls are not looked at).
//
// Lines are counted in the whitespace the scanner crosses (a raw newline
// cannot occur inside a valid JSON string), so an error has its line and
// column without the input being copied or counted a second time.
type scanner struct {
	r        io.Reader
	buf      []byte // buf[pos:end] is unread
	pos, end int
	off      int64 // stream offset of buf[0]
	rerr     error // the source's error, once it returned one

	lines  int   // newlines before lineAt
	lineAt int64 // offset just after the last newline

	// mark is the offset of the last structural byte ({ } [ ] , :); in a
	// gzip stream no more than limit bytes may follow it before the next.
	mark  int64
	limit int64

	scratch []byte
	// peak is the largest scratch held, for tests that bound memory.
	peak int

	objs [maxDepth/64 + 1]uint64 // skipContainer's depths that are objects
}

// errTooBig is a gzip stream with more than the limit of decompressed
// bytes in one token (a value and the whitespace around it).
var errTooBig = errors.New("one value decompresses to more than the limit")

// scanError is invalid JSON at an offset. line is set when the error is
// behind newlines the scanner has crossed since.
type scanError struct {
	off       int64
	msg       string
	line, col int
}

func (e *scanError) Error() string { return e.msg }

// truncated is the input ending inside the document, at offset off.
type truncated struct{ off int64 }

func (e *truncated) Error() string { return io.ErrUnexpectedEOF.Error() }
func (e *truncated) Unwrap() error { return io.ErrUnexpectedEOF }

const maxDepth = 10000 // as jsontext

func newScanner(r io.Reader, size int) *scanner {
	return &scanner{r: r, buf: make([]byte, size)}
}

// abs is the stream offset of the next unread byte.
func (s *scanner) abs() int64 { return s.off + int64(s.pos) }

// fill keeps the unread bytes, moves them to the front and reads more
// after them. It reports false at the end of the input, on a read error
// and when a gzip token passes the limit (s.fail tells which).
func (s *scanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.limit > 0 && s.off+int64(s.end)-s.mark > s.limit {
		s.rerr = errTooBig
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.off += int64(s.pos)
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		// Only need() keeps bytes, a few at most.
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	s.rerr = io.ErrNoProgress
	return false
}

// fail is the error after fill reported false.
func (s *scanner) fail() error {
	switch {
	case s.rerr == io.EOF || errors.Is(s.rerr, io.ErrUnexpectedEOF):
		return &truncated{s.off + int64(s.end)}
	case s.rerr == errTooBig:
		return errTooBig
	}
	return &scanError{off: s.off + int64(s.end), msg: s.rerr.Error()}
}

// need makes n bytes readable at pos if the input has them.
func (s *scanner) need(n int) bool {
	for s.end-s.pos < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// peek skips whitespace and returns the next byte without consuming it.
func (s *scanner) peek() (byte, error) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c > ' ' {
				return c, nil
			}
			// The one space after a colon or comma.
			if c == ' ' && s.pos+1 < s.end && s.buf[s.pos+1] > ' ' {
				s.pos++
				return s.buf[s.pos], nil
			}
			switch c {
			case ' ', '\t', '\r', '\n':
				s.whitespace()
			default:
				return c, nil
			}
		}
		if !s.fill() {
			return 0, s.fail()
		}
	}
}

// whitespace crosses the whitespace at pos in the buffer, eight bytes at a
// time where it can, counting newlines.
func (s *scanner) whitespace() {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	// zero has the high bit of each zero byte of v set, and no other.
	zero := func(v uint64) uint64 { return ^((v&^hi + ^uint64(hi)) | v | ^uint64(hi)) }
	for s.pos+8 <= s.end {
		x := binary.LittleEndian.Uint64(s.buf[s.pos:])
		nl := zero(x ^ lo*'\n')
		if zero(x^lo*' ')|zero(x^lo*'\t')|zero(x^lo*'\r')|nl != hi {
			break
		}
		if nl != 0 {
			s.lines += bits.OnesCount64(nl)
			s.lineAt = s.abs() + int64(bits.Len64(nl)-1)/8 + 1
		}
		s.pos += 8
	}
	for ; s.pos < s.end; s.pos++ {
		switch s.buf[s.pos] {
		case ' ', '\t', '\r':
		case '\n':
			s.lines++
			s.lineAt = s.abs() + 1
		default:
			return
		}
	}
}

// space crosses the whitespace at b[p:] as peek does, adding its
// newlines to nl and moving last to the last of them.
func space(b []byte, p, nl, last int) (int, int, int) {
	for ; p < len(b); p++ {
		c := b[p]
		if c > ' ' {
			return p, nl, last // what follows, mostly after one space or none
		}
		switch c {
		case ' ', '\t', '\r':
		case '\n':
			nl++
			last = p
		default:
			return p, nl, last
		}
	}
	return p, nl, last
}

// crossed counts the nl newlines space found, the last at buf[last].
func (s *scanner) crossed(nl, last int) {
	if nl > 0 {
		s.lines += nl
		s.lineAt = s.off + int64(last) + 1
	}
}

// structural consumes the byte at pos, a structural one.
func (s *scanner) structural() {
	s.pos++
	s.mark = s.abs()
}

// invalid is an invalid character at pos, as jsontext words it.
func (s *scanner) invalid(where string) error {
	s.need(utf8.UTFMax)
	b := s.buf[s.pos:s.end]
	q := ""
	if r, n := utf8.DecodeRune(b); r == utf8.RuneError && n == 1 {
		q = `'\x` + strconv.FormatUint(uint64(b[0]), 16) + `'`
	} else {
		q = strconv.QuoteRune(r)
	}
	return &scanError{off: s.abs(), msg: "invalid character " + q + " " + where}
}

// invalidByte is the invalid ASCII character c at off, on line (1-based)
// from lineAt.
func invalidByte(off int64, c byte, where string, line int, lineAt int64) error {
	return &scanError{off: off, msg: "invalid character " + strconv.QuoteRune(rune(c)) + " " + where, line: line, col: int(off-lineAt) + 1}
}

// plainGo is the length of the run at the start of b that a string holds
// as it is: ASCII other than controls, '"' and '\\' (plain, without
// assembly), eight bytes at a time.
func plainGo(b []byte) int {
	n := 0
	for ; n+8 <= len(b); n += 8 {
		if m := special(binary.LittleEndian.Uint64(b[n:])); m != 0 {
			return n + bits.TrailingZeros64(m)/8
		}
	}
	for ; n < len(b); n++ {
		if c := b[n]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			break
		}
	}
	return n
}

// special marks the bytes of x that a plain string cannot hold as they
// are (< 0x20, '"', '\\', >= 0x80) with their high bit. A borrow marks
// bytes above a special one too: only the lowest mark is sure, and it is
// the first special byte.
func special(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	return ((x - lo*0x20) | (x ^ lo*'"' - lo) | (x ^ lo*'\\' - lo) | x) & hi
}

// str reads the string at pos. It returns the decoded bytes (valid until
// the next call) or, when they pass max, over and the string's size in
// the input; the rest of it is then skipped.
func (s *scanner) str(max int) (v []byte, over bool, size int64, err error) {
	start := s.abs()
	s.pos++
	if n := plain(s.buf[s.pos:s.end]); s.pos+n < s.end && s.buf[s.pos+n] == '"' {
		v = s.buf[s.pos : s.pos+n]
		s.pos += n + 1
		if n > max {
			return nil, true, s.abs() - start, nil
		}
		return v, false, 0, nil
	}
	sc := s.scratch[:0]
	defer func() {
		if cap(sc) > s.peak {
			s.peak = cap(sc)
		}
		s.scratch = sc[:0]
	}()
	for {
		if s.pos >= s.end && !s.fill() {
			return nil, false, 0, s.fail()
		}
		if len(sc) > max {
			if err := s.skipStringRest(); err != nil {
				return nil, false, 0, err
			}
			return nil, true, s.abs() - start, nil
		}
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			return sc, false, 0, nil
		case c == '\\':
			if sc, err = s.escape(sc); err != nil {
				return nil, false, 0, err
			}
		case c < 0x20:
			return nil, false, 0, s.invalid("in string (expecting non-control character)")
		case c < 0x80:
			n := plain(s.buf[s.pos:s.end])
			if len(sc)+n > max+1 {
				n = max + 1 - len(sc)
			}
			sc = append(sc, s.buf[s.pos:s.pos+n]...)
			s.pos += n
		default:
			s.need(utf8.UTFMax)
			b := s.buf[s.pos:s.end]
			r, n := utf8.DecodeRune(b)
			switch {
			case n > 1:
				sc = append(sc, b[:n]...)
			case !utf8.FullRune(b):
				s.pos = s.end
				return nil, false, 0, s.fail()
			default:
				sc = utf8.AppendRune(sc, r) // U+FFFD for an invalid byte
			}
			s.pos += n
		}
	}
}

// escape decodes the escape sequence at pos, as jsonwire.AppendUnquote.
func (s *scanner) escape(sc []byte) ([]byte, error) {
	if !s.need(2) {
		s.pos = s.end
		return sc, s.fail()
	}
	switch c := s.buf[s.pos+1]; c {
	case '"', '\\', '/':
		sc = append(sc, c)
	case 'b':
		sc = append(sc, '\b')
	case 'f':
		sc = append(sc, '\f')
	case 'n':
		sc = append(sc, '\n')
	case 'r':
		sc = append(sc, '\r')
	case 't':
		sc = append(sc, '\t')
	case 'u':
		if !s.need(6) {
			if escapePrefix(s.buf[s.pos:s.end], false) {
				s.pos = s.end
				return sc, s.fail()
			}
			return sc, s.badEscape(s.end - s.pos)
		}
		v1, ok := hex4(s.buf[s.pos+2 : s.pos+6])
		if !ok {
			return sc, s.badEscape(6)
		}
		r := rune(v1)
		if 0xd800 <= r && r < 0xe000 {
			r = utf8.RuneError
			if !s.need(12) {
				if escapePrefix(s.buf[s.pos+6:s.end], true) {
					s.pos = s.end
					return sc, s.fail()
				}
			} else if b := s.buf[s.pos+6 : s.pos+12]; b[0] == '\\' && b[1] == 'u' {
				if v2, ok := hex4(b[2:6]); ok && v1 < 0xdc00 && 0xdc00 <= v2 && v2 < 0xe000 {
					r = (rune(v1)-0xd800)<<10 | (rune(v2) - 0xdc00) + 0x10000
					s.pos += 6
				}
			}
		}
		s.pos += 6
		return utf8.AppendRune(sc, r), nil
	default:
		return sc, s.badEscape(2)
	}
	s.pos += 2
	return sc, nil
}

func (s *scanner) badEscape(n int) error {
	return &scanError{off: s.abs(), msg: invalidText("escape sequence", string(s.buf[s.pos:s.pos+n]), "in string")}
}

// invalidText is jsonwire.InvalidTextError's wording.
func invalidText(label, what, where string) string {
	needEscape := strings.ContainsFunc(what, func(r rune) bool {
		return r == '`' || r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r)
	})
	switch {
	case needEscape:
		what = strconv.Quote(what)
	default:
		what = "`" + what + "`"
	}
	return "invalid " + label + " " + what + " " + where
}

// escapePrefix reports whether b may be a \uXXXX escape cut short (a low
// surrogate when low), as jsonwire's hasEscapedUTF16Prefix.
func escapePrefix(b []byte, low bool) bool {
	for i, c := range b {
		switch {
		case i == 0 && c != '\\', i == 1 && c != 'u':
			return false
		case i == 2 && low && c != 'd' && c != 'D':
			return false
		case i == 3 && low && !('c' <= c && c <= 'f') && !('C' <= c && c <= 'F'):
			return false
		case i >= 2 && i < 6 && !isHex(c):
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hex4(b []byte) (uint16, bool) {
	var v uint16
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	return v, true
}

// skipString crosses the string at pos without decoding it. A string
// whose first byte that is not plain (see plain) is its closing quote and
// lies in the first sixteen, as member names and short values do, ends
// there, found as interner.short finds it: it holds no backslash and no
// newline, and skipStringRest would stop at the same quote.
func (s *scanner) skipString() error {
	if q := s.pos + 1; q+16 <= s.end {
		n := -1
		if m := special(binary.LittleEndian.Uint64(s.buf[q:])); m != 0 {
			n = bits.TrailingZeros64(m) / 8
		} else if m := special(binary.LittleEndian.Uint64(s.buf[q+8:])); m != 0 {
			n = 8 + bits.TrailingZeros64(m)/8
		}
		if n >= 0 && s.buf[q+n] == '"' {
			s.pos = q + n + 1
			return nil
		}
	}
	s.pos++
	return s.skipStringRest()
}

// skipStringRest finds the closing quote: the first '"' that no
// backslash escapes (closingQuote). pos must not be inside an escape
// sequence. The one character it checks is a raw newline, the mark of a
// quote out of place (and of a line the count would otherwise miss):
// once per string or buffer, not per quote (script bodies escape a quote
// every few bytes).
func (s *scanner) skipStringRest() error {
	esc := false // a backslash ended the last buffer
	for {
		b := s.buf[s.pos:s.end]
		q, e, clean := stringEnd(b, esc)
		if q >= 0 {
			b = b[:q]
		}
		if nl := bytes.IndexByte(b[min(clean, len(b)):], '\n'); nl >= 0 {
			s.pos += min(clean, len(b)) + nl
			return s.invalid("in string (expecting non-control character)")
		}
		if q >= 0 {
			s.pos += q + 1
			return nil
		}
		esc = e
		s.pos = s.end
		if !s.fill() {
			return s.fail()
		}
	}
}

// closingQuoteGo is closingQuote without assembly: each quote is found
// with bytes.IndexByte and the run of backslashes before it counted.
func closingQuoteGo(b []byte, esc bool) (int, bool) {
	from := 0 // b[from:] holds the runs; an escaped b[0] is not one
	if esc {
		if len(b) == 0 {
			return -1, true
		}
		from = 1
	}
	for i := from; ; {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			break
		}
		q := i + j
		k := q // b[k:q] is the run of backslashes before the quote
		for k > from && b[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q, false
		}
		i = q + 1
	}
	k := len(b)
	for k > from && b[k-1] == '\\' {
		k--
	}
	return -1, (len(b)-k)%2 == 1
}

// The states of skipContainer.
const (
	value = iota // a value is due
	first        // a value or ']', after '['
	name0        // a name or '}', after '{'
	name         // a name, after ',' in an object
	colon        // ':', after a name
	after        // ',' or the closing bracket, after a value
)

// skipContainer crosses the object or array at pos. Its grammar is
// checked as jsontext checks it (a damaged file is refused where it is
// damaged, not where the brackets stop matching), but not what its
// strings hold: they are crossed with skipString.
func (s *scanner) skipContainer() error {
	// s.objs has bit d set when depth d is an object; a bit is written
	// when its depth is entered, so stale ones are never read.
	depth, state := 0, value
	var comma struct { // the last comma, for a closing bracket after it
		at     int64
		line   int
		lineAt int64
	}
	// obj is whether the innermost container is an object.
	obj := func() bool { return depth > 0 && s.objs[(depth-1)/64]&(1<<((depth-1)%64)) != 0 }
	for {
		var c byte
		if s.pos+1 < s.end && s.buf[s.pos] == ' ' && s.buf[s.pos+1] > ' ' {
			s.pos++ // the one space after a colon or comma
		}
		if s.pos < s.end && s.buf[s.pos] > ' ' {
			c = s.buf[s.pos]
		} else {
			var err error
			if c, err = s.peek(); err != nil {
				return err
			}
		}
		switch c {
		case '"':
			switch state {
			case value, first:
				state = after
			case name0, name:
				state = colon
			default:
				return s.unexpected(c, state, obj())
			}
			if err := s.skipString(); err != nil {
				return err
			}
		case '{', '[':
			if state != value && state != first {
				return s.unexpected(c, state, obj())
			}
			if depth == maxDepth {
				return &scanError{off: s.abs(), msg: "exceeded max depth"}
			}
			if c == '{' {
				s.objs[depth/64] |= 1 << (depth % 64)
				state = name0
			} else {
				s.objs[depth/64] &^= 1 << (depth % 64)
				state = first
			}
			depth++
			s.structural()
		case '}', ']':
			if state == name || state == value && depth > 0 && comma.at > 0 {
				// As jsontext: the comma is what is out of place.
				return invalidByte(comma.at, ',', "at start of value", comma.line, comma.lineAt)
			}
			if !(state == after && obj() == (c == '}') || state == name0 && c == '}' || state == first && c == ']') {
				return s.unexpected(c, state, obj())
			}
			depth--
			s.structural()
			if depth == 0 {
				return nil
			}
			state = after
		case ',':
			if state != after {
				return s.unexpected(c, state, obj())
			}
			comma.at, comma.line, comma.lineAt = s.abs(), s.lines+1, s.lineAt
			s.structural()
			state = value
			if obj() {
				state = name
			}
		case ':':
			if state != colon {
				return s.unexpected(c, state, obj())
			}
			s.structural()
			state = value
		default:
			if state != value && state != first {
				return s.unexpected(c, state, obj())
			}
			if err := s.skip(c); err != nil {
				return err
			}
			state = after
		}
	}
}

// unexpected is the error of skipContainer for the byte c at pos, in
// state, in an object if obj.
func (s *scanner) unexpected(c byte, state int, obj bool) error {
	switch state {
	case after:
		if obj {
			return s.invalid("after object value (expecting ',' or '}')")
		}
		return s.invalid("after array element (expecting ',' or ']')")
	case colon:
		return s.invalid("after object name (expecting ':')")
	case name0, name:
		if c == '{' || c == '[' || c == '-' || '0' <= c && c <= '9' || c == 't' || c == 'f' || c == 'n' {
			return &scanError{off: s.abs(), msg: "object member name must be a string"}
		}
	}
	return s.invalid("at start of value")
}

// literal consumes true, false or null.
func (s *scanner) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if s.pos >= s.end && !s.fill() {
			return s.fail()
		}
		if s.buf[s.pos] != lit[i] {
			return s.invalid("in literal " + lit + " (expecting " + strconv.QuoteRune(rune(lit[i])) + ")")
		}
		s.pos++
	}
	return nil
}

// number consumes a number, as jsonwire.ConsumeNumber. With keep it
// returns its text (valid until the next call) unless it passes max.
func (s *scanner) number(keep bool, max int) (v []byte, over bool, err error) {
	// The common case: a well-formed number that ends inside the buffer.
	if n := simpleNumber(s.buf[s.pos:s.end]); n > 0 {
		v = s.buf[s.pos : s.pos+n]
		s.pos += n
		if len(v) > max {
			return nil, true, nil
		}
		return v, false, nil
	}
	return s.numberRest(keep, max)
}

// numberRest is number for what simpleNumber does not read, apart so that
// number, which reads the rest, is a short function without closures and
// a deferred call to set up.
func (s *scanner) numberRest(keep bool, max int) (v []byte, over bool, err error) {
	sc := s.scratch[:0]
	defer func() {
		if cap(sc) > s.peak {
			s.peak = cap(sc)
		}
		s.scratch = sc[:0]
	}()
	// next returns the next byte of the number (0 at the end of input).
	next := func() (byte, bool) {
		if s.pos >= s.end && !s.fill() {
			return 0, false
		}
		return s.buf[s.pos], true
	}
	take := func() {
		if keep && len(sc) <= max {
			sc = append(sc, s.buf[s.pos])
		}
		s.pos++
	}
	digits := func() (int, error) {
		n := 0
		for {
			c, ok := next()
			if !ok {
				if s.rerr == io.EOF {
					return n, nil // the caller decides
				}
				return n, s.fail()
			}
			if c < '0' || c > '9' {
				return n, nil
			}
			take()
			n++
		}
	}
	expectDigit := func() error {
		c, ok := next()
		if !ok {
			return s.fail()
		}
		if c < '0' || c > '9' {
			return s.invalid("in number (expecting digit)")
		}
		return nil
	}
	if c, _ := next(); c == '-' {
		take()
	}
	if err := expectDigit(); err != nil {
		return nil, false, err
	}
	if c, _ := next(); c == '0' {
		take()
	} else if _, err := digits(); err != nil {
		return nil, false, err
	}
	if c, ok := next(); ok && c == '.' {
		take()
		if err := expectDigit(); err != nil {
			return nil, false, err
		}
		if _, err := digits(); err != nil {
			return nil, false, err
		}
	}
	if c, ok := next(); ok && (c == 'e' || c == 'E') {
		take()
		if c, ok := next(); ok && (c == '+' || c == '-') {
			take()
		}
		if err := expectDigit(); err != nil {
			return nil, false, err
		}
		if _, err := digits(); err != nil {
			return nil, false, err
		}
	}
	if len(sc) > max {
		return nil, true, nil
	}
	return sc, false, nil
}

// simpleNumber is the length of the number at the start of b when it is
// well formed and followed by another byte of b, else 0.
func simpleNumber(b []byte) int {
	digits := func(i int) int {
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i
	}
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	j := digits(i)
	if j == i || b[i] == '0' && j > i+1 {
		return 0
	}
	if j < len(b) && b[j] == '.' {
		k := digits(j + 1)
		if k == j+1 {
			return 0
		}
		j = k
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		k := j + 1
		if k < len(b) && (b[k] == '+' || b[k] == '-') {
			k++
		}
		e := digits(k)
		if e == k {
			return 0
		}
		j = e
	}
	if j >= len(b) {
		return 0
	}
	return j
}

// skip crosses the value at pos (after peek).
func (s *scanner) skip(c byte) error {
	switch c {
	case '"':
		return s.skipString()
	case '{', '[':
		return s.skipContainer()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	if c == '-' || '0' <= c && c <= '9' {
		_, _, err := s.number(false, 0)
		return err
	}
	return s.invalid("at start of value")
}
