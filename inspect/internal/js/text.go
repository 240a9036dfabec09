package js

import (
	"strings"
	"unicode/utf8"
)

// DecodeUTF8 is the WHATWG Encoding standard's "UTF-8 decode", what
// Request.text() and TextDecoder run on bytes: one leading BOM is dropped and each maximal
// invalid subpart becomes one U+FFFD (Go's own decoding replaces byte by
// byte, which differs on truncated sequences). It returns the text, whether
// a BOM was dropped, and how many replacement characters it made.
func DecodeUTF8(b []byte) (text string, bom bool, replaced int) {
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
