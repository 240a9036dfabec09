//go:build !purego

package har

import "math/bits"

// closingQuote is the index in b of the first '"' no backslash escapes
// (b[0] is escaped if esc), or -1 and whether the byte after b is
// escaped.
//
// Sixty-four bytes at a time, the quotes and backslashes of a block as
// bit masks (masks64) and the escaped bytes worked out from them at once:
// a run of backslashes that starts on an even bit and ends on an odd one
// (or the other way) is odd, and escapes the byte after it. Subtracting
// the runs' starts from the odd bits carries through each run (simdjson's
// way, "Parsing gigabytes of JSON per second", §3.1.1). A response body
// escapes a quote or a newline every few dozen bytes, where the search
// byte by byte (quote16) starts again after each escape. The last bytes,
// under 64, are quote16's.
func closingQuote(b []byte, esc bool) (int, bool) {
	const odd = 0xaaaaaaaaaaaaaaaa
	var carry uint64 // 1: the block's first byte is escaped
	if esc {
		carry = 1
	}
	i := 0
	for ; len(b)-i >= 64; i += 64 {
		q, bs := masks64(&b[i])
		escaped := carry
		if bs != 0 {
			starts := bs &^ carry
			ends := ((starts<<1 | odd) - starts) ^ odd
			escaped = ends ^ (bs | carry)
			carry = (ends & bs) >> 63
		} else {
			carry = 0
		}
		if q &^= escaped; q != 0 {
			return i + bits.TrailingZeros64(q), false
		}
	}
	q, e := quote16(b[i:], carry != 0)
	if q >= 0 {
		return i + q, false
	}
	return -1, e
}

// masks64 marks the quotes and the backslashes of the 64 bytes at p, byte
// i as bit i.
//
//go:noescape
func masks64(p *byte) (quotes, backslashes uint64)

// quote16 is closingQuote sixteen bytes at a time: the first quote or
// backslash of a chunk is found, a backslash skips the byte after it.
//
//go:noescape
func quote16(b []byte, esc bool) (q int, escOut bool)

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
