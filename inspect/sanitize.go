package inspect

import (
	"encoding/binary"
	"io"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// A capture or a paste comes from someone else's browser, and a Backend API
// record holds what users typed: any of it may carry bytes that drive a
// terminal (OSC 52 writes the clipboard, CSI clears the screen, SGR forges
// a green verdict, U+202E reverses what follows). Everything clerkscope
// prints passes through Sanitize or a sanitising writer, which show those
// bytes visibly escaped instead; our own styling is applied afterwards.
// explain --json's writer escapes its JSON the same way as it encodes it
// (a test compares it with the sanitizer's output) and writes it past the
// sanitizer's scan (PreEscaped).

// unsafeRune reports whether r must not reach a terminal as it is: C0
// controls other than newline and tab, DEL, C1 controls and the bidi
// controls (embeddings, overrides, isolates and marks).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r < 0x7f:
		return false
	case r <= 0x9f: // DEL and C1
		return true
	}
	return bidi(r)
}

// bidi reports whether r is a bidi control: an embedding or override
// (U+202A–U+202E), an isolate (U+2066–U+2069) or a mark (U+200E, U+200F,
// U+061C).
func bidi(r rune) bool {
	switch r {
	case 0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069:
		return true
	}
	return false
}

// EscapeBidi shows only the bidi controls of s escaped (\u202e). It is for
// styled text that holds no other control of the data's own, such as the
// view of a text input that drops C0 and C1 controls itself.
func EscapeBidi(s string) string {
	if !strings.ContainsAny(s, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
		return s
	}
	var b []byte
	for _, r := range s {
		if bidi(r) {
			b = appendEscape(b, r, false)
		} else {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

const hexDigits = "0123456789abcdef"

// appendEscape appends the visible form of an unsafe rune: \x1b for C0 and
// DEL, \u009b for C1 and \u202e for bidi controls. In JSON every one is a
// \u escape, which decodes to the same rune.
func appendEscape(b []byte, r rune, json bool) []byte {
	if r < 0x80 && !json {
		return append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
	}
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// safeASCII reports whether c can be passed on without decoding: printable
// ASCII, newline and tab (and, in JSON, carriage return, which is
// whitespace between tokens).
func safeASCII(c byte, json bool) bool {
	return c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' || json && c == '\r'
}

// safeText and safeJSON are safeASCII as tables, for the loops over
// whole outputs.
var safeText, safeJSON = func() (t, j [256]bool) {
	for c := range 256 {
		t[c], j[c] = safeASCII(byte(c), false), safeASCII(byte(c), true)
	}
	return t, j
}()

func safeTable(json bool) *[256]bool {
	if json {
		return &safeJSON
	}
	return &safeText
}

// safeLen is the length of the longest start of p that passes as it is:
// safe ASCII (see safeASCII) and valid UTF-8 runes that are not unsafe.
// Outputs are mostly printable ASCII, so eight bytes are tested at a time
// and the loop goes to the first other byte at once.
func safeLen(p []byte, json bool) int {
	safe := safeTable(json)
	i := 0
	for i < len(p) {
		if len(p)-i >= 8 {
			m := notPrintable8(binary.LittleEndian.Uint64(p[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		}
		c := p[i]
		if safe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return i
		}
		i += n
	}
	return i
}

// notPrintable8 marks, in the top bit of each byte, the bytes of w (eight
// bytes, the first the lowest) that are not printable ASCII (0x20–0x7e):
// zero when all are. A byte b < 0x80 is, unless b - 0x20 borrows (b <
// 0x20) or b + 1 reaches 0x80 (DEL): either sets the byte's top bit, as b
// ≥ 0x80 has it set already. A borrow or carry reaches the next byte only
// from a byte marked itself, so the lowest mark is the first such byte
// (the marks above it may be wrong).
func notPrintable8(w uint64) uint64 {
	const ones, tops, spaces = 0x0101010101010101, 0x8080808080808080, 0x2020202020202020
	return (w | (w - spaces) | (w + ones)) & tops
}

// sanitize appends p to b with every unsafe rune escaped. A byte that is
// not UTF-8 is shown as \xff in text (a terminal in an 8-bit mode reads
// 0x9b as CSI) and becomes U+FFFD in JSON, as encoding/json does.
func sanitize(b, p []byte, json bool) []byte {
	for i := 0; i < len(p); {
		n := safeLen(p[i:], json)
		b = append(b, p[i:i+n]...)
		if i += n; i == len(p) {
			break
		}
		c := p[i]
		r, n := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			if json {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
		case unsafeRune(r) || json && r < 0x20:
			b = appendEscape(b, r, json)
		default:
			b = append(b, p[i:i+n]...)
		}
		i += n
	}
	return b
}

// AppendJSONEscaped appends p, JSON text, escaped as the JSON sanitizer
// (NewJSONSanitizer) writes it: C0, DEL, C1 and bidi controls become \u
// escapes and bytes that are not UTF-8 U+FFFD. A rune cut off at the end
// of p is escaped as the bytes it is, as Close does.
func AppendJSONEscaped(b, p []byte) []byte {
	n := safeLen(p, true)
	return sanitize(append(b, p[:n]...), p[n:], true)
}

// TerminalControl reports whether r, a rune other than ASCII, must not
// reach a terminal as it is (a C1 or bidi control): an encoder that
// writes it as a \u escape writes what the JSON sanitizer would.
func TerminalControl(r rune) bool { return r >= utf8.RuneSelf && unsafeRune(r) }

// Sanitize returns s with every terminal control visibly escaped: C0
// controls other than newline and tab, and DEL, as \x1b; C1 controls as
// \u009b; bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
// U+061C) as \u202e; bytes that are not UTF-8 as \xff. Apply it to
// captured data before styling it, never to styled text.
func Sanitize(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if safeASCII(c, false) {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	return string(sanitize(append(b, s[:i]...), []byte(s[i:]), false))
}

// Sanitizer is a writer that passes text on with Sanitize applied, or JSON
// with the same runes written as \u escapes (see NewJSONSanitizer). A rune
// split across two writes is held until its end arrives; Close writes what
// is still held.
type Sanitizer struct {
	w    io.Writer
	json bool
	held []byte // the start of a rune, waiting for its end
	join []byte // held + the next write
	buf  []byte // the escaped output
}

// NewSanitizer returns a writer for text (the explain text, the Markdown
// report, lookup output, errors): terminal controls are shown escaped.
func NewSanitizer(w io.Writer) *Sanitizer { return &Sanitizer{w: w} }

// NewJSONSanitizer returns a writer for JSON that stays exact: DEL, C1 and
// bidi controls (which encoding/json writes as they are), and any C0 control
// or invalid byte a raw Backend API body may hold, become \u escapes, so the
// document decodes to the same values and cannot drive the terminal it is
// printed on.
func NewJSONSanitizer(w io.Writer) *Sanitizer { return &Sanitizer{w: w, json: true} }

// Write writes p, escaped. It reports len(p) on success.
func (s *Sanitizer) Write(p []byte) (int, error) {
	in := p
	if len(s.held) > 0 {
		s.join = append(append(s.join[:0], s.held...), p...)
		in = s.join
		s.held = s.held[:0]
	}
	// Hold back the start of a rune the next write completes.
	cut := len(in)
	for k := 1; k < utf8.UTFMax && k <= len(in); k++ {
		c := in[len(in)-k]
		if c < 0x80 {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(in[len(in)-k:]) {
				cut = len(in) - k
			}
			break
		}
	}
	if cut < len(in) {
		s.held = append(s.held[:0], in[cut:]...)
		in = in[:cut]
	}
	if err := s.emit(in); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *Sanitizer) emit(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	n := safeLen(p, s.json)
	if n == len(p) {
		_, err := s.w.Write(p)
		return err
	}
	s.buf = sanitize(append(s.buf[:0], p[:n]...), p[n:], s.json)
	_, err := s.w.Write(s.buf)
	return err
}

// PreEscaped returns a writer to where w writes, for JSON already escaped
// as AppendJSONEscaped escapes it: when w is a JSON sanitizer, what is
// written goes out after what w holds without being scanned again;
// otherwise it is w.
func PreEscaped(w io.Writer) io.Writer {
	if s, ok := w.(*Sanitizer); ok && s.json {
		return preEscaped{s}
	}
	return w
}

type preEscaped struct{ s *Sanitizer }

func (e preEscaped) Write(p []byte) (int, error) {
	if len(e.s.held) > 0 {
		held := e.s.held
		e.s.held = nil
		if err := e.s.emit(held); err != nil {
			return 0, err
		}
	}
	if _, err := e.s.w.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes what is held (the cut-off start of a rune, escaped as the
// bytes it is). It does not close the writer underneath.
func (s *Sanitizer) Close() error {
	p := s.held
	s.held = nil
	return s.emit(p)
}
