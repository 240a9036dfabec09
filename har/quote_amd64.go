//go:build !purego

package har

// closingQuote is the index in b of the first '"' no backslash escapes
// (b[0] is escaped if esc), or -1 and whether the byte after b is
// escaped.
//
//go:noescape
func closingQuote(b []byte, esc bool) (q int, escOut bool)
