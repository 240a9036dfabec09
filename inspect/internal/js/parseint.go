package js

import (
	"math"
	"strconv"
	"strings"
)

// IsSpace reports whether r is JavaScript's WhiteSpace or LineTerminator:
// what String.prototype.trim and parseInt skip.
func IsSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// Trim is String.prototype.trim.
func Trim(s string) string { return strings.TrimFunc(s, IsSpace) }

// Int is what parseInt read from a string, exactly: callers that compare
// or print the number (a webhook timestamp) need its digits, not only the
// float64 it becomes.
type Int struct {
	// NaN is true when the string starts with no digit of the radix.
	NaN bool
	// Negative is the sign read.
	Negative bool
	// Radix is 10, or 16 after a 0x prefix when no radix was given.
	Radix int
	// Digits are the digits read, without leading zeros ("" for 0).
	Digits string
	// Rest is what followed the digits (parseInt ignores it).
	Rest string
}

// ReadInt is parseInt(s, radix) for radix 10, or parseInt(s) without one
// (radix 0: a 0x or 0X prefix reads hexadecimal): leading whitespace and
// one sign are skipped, then the longest run of digits is read and
// anything after it ignored ("1767225600abc" is 1767225600, "1.7e9" is 1).
func ReadInt(s string, radix int) Int {
	s = strings.TrimLeftFunc(s, IsSpace)
	v := Int{Radix: 10}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		v.Negative = s[0] == '-'
		s = s[1:]
	}
	if radix == 0 && len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		v.Radix = 16
		s = s[2:]
	}
	n := 0
	for n < len(s) && digit(s[n]) < v.Radix {
		n++
	}
	if n == 0 {
		return Int{NaN: true, Radix: v.Radix}
	}
	v.Digits = strings.TrimLeft(s[:n], "0")
	v.Rest = s[n:]
	return v
}

// digit is c's value as a digit of any radix up to 36 (99 when it is none).
func digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// Int64 is the value when it is exact as a JavaScript number (at most 15
// decimal digits); ok is false for NaN and larger magnitudes.
func (v Int) Int64() (n int64, ok bool) {
	if v.NaN || v.Radix != 10 || len(v.Digits) > 15 {
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

// Float is the number parseInt returns.
func (v Int) Float() float64 {
	if v.NaN {
		return math.NaN()
	}
	if n, ok := v.Int64(); ok {
		// Exact: no rounding to do.
		if n == 0 && v.Negative {
			return math.Copysign(0, -1)
		}
		return float64(n)
	}
	var f float64
	if v.Radix == 10 {
		// Rounded once, as JavaScript rounds a decimal literal.
		f, _ = strconv.ParseFloat("0"+v.Digits, 64)
	} else {
		for _, c := range []byte(v.Digits) {
			f = f*float64(v.Radix) + float64(digit(c))
		}
	}
	if v.Negative {
		f = -f
	}
	return f
}
