//go:build !amd64 || purego

package har

// closingQuote is the index in b of the first '"' no backslash escapes
// (b[0] is escaped if esc), or -1 and whether the byte after b is
// escaped.
func closingQuote(b []byte, esc bool) (int, bool) { return closingQuoteGo(b, esc) }

// plain is the length of the run at the start of b that a string holds
// as it is: ASCII other than controls, '"' and '\\'.
func plain(b []byte) int { return plainGo(b) }
