//go:build !purego

package har

// closingQuote is the index in b of the first '"' no backslash escapes
// (b[0] is escaped if esc), or -1 and whether the byte after b is
// escaped.
//
//go:noescape
func closingQuote(b []byte, esc bool) (q int, escOut bool)

// plain is the length of the run at the start of b that a string holds
// as it is: ASCII other than controls, '"' and '\\'. The reader asks it of
// the rest of its buffer, so b is short only near the buffer's end.
func plain(b []byte) int {
	if len(b) < 16 {
		return plainGo(b)
	}
	return plain16(b)
}

// plain16 is plain of at least 16 bytes, sixteen at a time.
//
//go:noescape
func plain16(b []byte) int
