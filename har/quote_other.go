//go:build !amd64 || purego

package har

// closingQuote is the index in b of the first '"' no backslash escapes
// (b[0] is escaped if esc), or -1 and whether the byte after b is
// escaped.
func closingQuote(b []byte, esc bool) (int, bool) { return closingQuoteGo(b, esc) }

// plain is the length of the run at the start of b that a string holds
// as it is: ASCII other than controls, '"' and '\\'.
func plain(b []byte) int { return plainGo(b) }

// stringEnd is closingQuote, and the length of a start of b known to hold
// no newline: none here.
func stringEnd(b []byte, esc bool) (q int, escOut bool, clean int) {
	q, escOut = closingQuoteGo(b, esc)
	return q, escOut, 0
}
