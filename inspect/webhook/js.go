package webhook

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The SDK runs on JavaScript, and verifyWebhook's answer depends on how
// JavaScript reads bytes and strings. This file reproduces those readings.

// textDecode is the WHATWG "UTF-8 decode" that Request.text() runs on the
// body before the SDK signs it: one leading BOM is dropped and each maximal
// invalid subpart becomes one U+FFFD (Go's own decoding replaces byte by
// byte, which differs on truncated sequences). It returns the text, whether
// a BOM was dropped, and how many replacement characters it made.
func textDecode(b []byte) (text string, bom bool, replaced int) {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b, bom = b[3:], true
	}
	if utf8.Valid(b) {
		return string(b), bom, 0
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	var cp rune
	needed, seen := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if needed == 0 {
			switch {
			case c <= 0x7F:
				sb.WriteByte(c)
			case c >= 0xC2 && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				} else if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0x0F)
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				} else if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x07)
			default:
				sb.WriteRune(utf8.RuneError)
				replaced++
			}
			continue
		}
		if c < lower || c > upper {
			cp, needed, seen, lower, upper = 0, 0, 0, 0x80, 0xBF
			sb.WriteRune(utf8.RuneError)
			replaced++
			i-- // the byte starts afresh
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		seen++
		if seen == needed {
			sb.WriteRune(cp)
			cp, needed, seen = 0, 0, 0
		}
	}
	if needed != 0 {
		sb.WriteRune(utf8.RuneError)
		replaced++
	}
	return sb.String(), bom, replaced
}

// isJSSpace is JavaScript's WhiteSpace or LineTerminator, what
// String.prototype.trim and parseInt skip.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// jsTrim is String.prototype.trim.
func jsTrim(s string) string { return strings.TrimFunc(s, isJSSpace) }

// httpTrim strips the HTTP whitespace a Headers object removes from each
// value it is given (fetch's "normalize").
func httpTrim(s string) string { return strings.Trim(s, " \t\r\n") }

// jsInt is what parseInt(s, 10) returned.
type jsInt struct {
	// NaN is true when s starts with no digits.
	NaN bool
	// Negative is the sign read.
	Negative bool
	// Digits are the significant digits read, no leading zeros ("" for 0).
	Digits string
	// Rest is what followed the digits (ignored by parseInt).
	Rest string
}

// parseInt is JavaScript's parseInt(s, 10): leading whitespace and one sign
// are skipped, then the longest run of decimal digits is read and anything
// after it ignored ("1767225600abc" is 1767225600, "1.7e9" is 1).
func parseInt(s string) jsInt {
	s = strings.TrimLeftFunc(s, isJSSpace)
	var v jsInt
	if s != "" && (s[0] == '+' || s[0] == '-') {
		v.Negative = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return jsInt{NaN: true}
	}
	v.Digits = strings.TrimLeft(s[:n], "0")
	v.Rest = s[n:]
	return v
}

// Int64 is the value when it fits in 15 digits (exact as a JavaScript
// number); ok is false for larger magnitudes.
func (v jsInt) Int64() (n int64, ok bool) {
	if v.NaN || len(v.Digits) > 15 {
		return 0, false
	}
	for _, c := range v.Digits {
		n = n*10 + int64(c-'0')
	}
	if v.Negative {
		n = -n
	}
	return n, true
}

// errBase64Padding and errBase64Chars are @stablelib/base64's errors, which
// the Webhook constructor lets through unwrapped.
const (
	errBase64Padding = "Base64Coder: incorrect padding"
	errBase64Chars   = "Base64Coder: incorrect characters for decoding"
)

// stablelibDecode is @stablelib/base64's decode, which the standardwebhooks
// package uses on the secret: lenient about length and trailing bits,
// strict about characters, and it counts JavaScript string length (UTF-16
// units). It returns the key or the library's error text.
func stablelibDecode(s string) ([]byte, string) {
	u := utf16.Encode([]rune(s))
	if len(u) == 0 {
		return []byte{}, ""
	}
	pad := 0
	for i := len(u) - 1; i >= 0 && u[i] == '='; i-- {
		pad++
	}
	if len(u) < 4 || pad > 2 {
		return nil, errBase64Padding
	}
	length := len(u) - pad
	// maxDecodedLength: `length / 4 * 3 | 0` in JavaScript.
	out := make([]byte, length*3/4)
	op := 0
	put := func(b int) {
		if op < len(out) {
			out[op] = byte(b)
		}
		op++
	}
	bad := 0
	i := 0
	var v0, v1, v2, v3 int
	for ; i < length-4; i += 4 {
		v0, v1, v2, v3 = decodeChar(u[i]), decodeChar(u[i+1]), decodeChar(u[i+2]), decodeChar(u[i+3])
		put(v0<<2 | v1>>4)
		put(v1<<4 | v2>>2)
		put(v2<<6 | v3)
		bad |= v0 | v1 | v2 | v3
	}
	if i < length-1 {
		v0, v1 = decodeChar(u[i]), decodeChar(u[i+1])
		put(v0<<2 | v1>>4)
		bad |= v0 | v1
	}
	if i < length-2 {
		v2 = decodeChar(u[i+2])
		put(v1<<4 | v2>>2)
		bad |= v2
	}
	if i < length-3 {
		v3 = decodeChar(u[i+3])
		put(v2<<6 | v3)
		bad |= v3
	}
	if bad&invalidByte != 0 {
		return nil, errBase64Chars
	}
	return out, ""
}

const invalidByte = 256

func decodeChar(c uint16) int {
	switch {
	case c == '+':
		return 62
	case c == '/':
		return 63
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	}
	return invalidByte
}
