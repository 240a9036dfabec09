package js

import "testing"

// TestDecodeUTF8 checks the WHATWG decoder where it differs from Go's own
// (one U+FFFD per maximal invalid subpart, one BOM dropped); the webhook
// oracle cases check it against Node's Request.text() on whole bodies.
func TestDecodeUTF8(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		bom            bool
		replaced       int
	}{
		{"ascii", "abc", "abc", false, 0},
		{"bom dropped once", "\xef\xbb\xbf\xef\xbb\xbfa", "\ufeffa", true, 0},
		{"truncated 3-byte is one", "a\xe2\x82b", "a\ufffdb", false, 1},
		{"lone continuation", "\x80\x80", "\ufffd\ufffd", false, 2},
		{"surrogate encoded", "\xed\xa0\x80", "\ufffd\ufffd\ufffd", false, 3},
		{"overlong", "\xc0\xaf", "\ufffd\ufffd", false, 2},
		{"truncated at end", "ab\xf0\x9f\x98", "ab\ufffd", false, 1},
		{"F4 above max", "\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd", false, 4},
		{"valid 4-byte", "\xf0\x9f\x98\x80", "😀", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, bom, n := DecodeUTF8([]byte(tc.in))
			if got != tc.want || bom != tc.bom || n != tc.replaced {
				t.Errorf("DecodeUTF8(%q) = %q, %v, %d; want %q, %v, %d", tc.in, got, bom, n, tc.want, tc.bom, tc.replaced)
			}
		})
	}
}

// TestReadIntRadix10 is parseInt(s, 10), as standardwebhooks reads
// svix-timestamp; each value is what Node 20 prints.
func TestReadIntRadix10(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		nan  bool
	}{
		{"1767225600", 1767225600, false}, {"  +12x", 12, false}, {"-0", 0, false}, {"0x10", 0, false},
		{"1.9e9", 1, false}, {"\u00a07", 7, false}, {"abc", 0, true}, {"", 0, true}, {"+", 0, true}, {"000042", 42, false},
		{"\u300042", 42, false}, {"\u2028 42", 42, false}, {"\ufeff-5", -5, false},
	} {
		p := ReadInt(tc.in, 10)
		n, _ := p.Int64()
		if p.NaN != tc.nan || !tc.nan && n != tc.want {
			t.Errorf("ReadInt(%q, 10) = %d (NaN %v), want %d (NaN %v)", tc.in, n, p.NaN, tc.want, tc.nan)
		}
	}
	if _, ok := ReadInt("99999999999999999999", 10).Int64(); ok {
		t.Error("a 20-digit number fits in int64 exactly?")
	}
}
