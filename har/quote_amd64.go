//go:build !purego

package har

import "golang.org/x/sys/cpu"

// closingQuote is the index in b of the first '"' no backslash escapes
// (b[0] is escaped if esc), or -1 and whether the byte after b is
// escaped.
func closingQuote(b []byte, esc bool) (int, bool) {
	q, e, _ := stringEnd(b, esc)
	return q, e
}

// stringEnd is closingQuote, and the length of a start of b (clean) that
// holds no newline, which skipStringRest need not search again. A response
// body escapes a quote or a newline every few dozen bytes, where a search
// for the next quote or backslash stops and starts again on a branch it
// mostly mispredicts: stringEnd takes 64 bytes at a time and works out the
// escaped ones from bit masks.
// It is stringEndSSE, or stringEndAVX2 (32 bytes at a time) where the
// CPU has AVX2.
func stringEnd(b []byte, esc bool) (q int, escOut bool, clean int) {
	if useAVX2 && len(b) >= 64 {
		return stringEndAVX2(b, esc)
	}
	return stringEndSSE(b, esc)
}

// useAVX2 is whether stringEnd uses stringEndAVX2 (tests turn it off to
// run the SSE2 code too).
var useAVX2 = cpu.X86.HasAVX2

//go:noescape
func stringEndSSE(b []byte, esc bool) (q int, escOut bool, clean int)

//go:noescape
func stringEndAVX2(b []byte, esc bool) (q int, escOut bool, clean int)

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
