package webhook

import "unicode/utf16"

// The standardwebhooks package decodes the secret with @stablelib/base64,
// whose reading (and error texts) decide whether the Webhook constructor
// throws.

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
