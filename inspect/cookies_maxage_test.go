package inspect

import "testing"

// TestMaxAge: RFC 6265 §5.2.2 values, and overflow clamped rather than
// read as a session cookie.
func TestMaxAge(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"60", 60, true}, {"0", 0, true}, {"-5", -5, true},
		{"99999999999999999999999", maxAgeCap, true}, {"-99999999999999999999999", -1, true},
		{"+60", 0, false}, {"6O", 0, false}, {"", 0, false}, {"-", 0, false},
	} {
		got, ok := maxAge(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("maxAge(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	sc := ParseSetCookie("__client_uat=1; Max-Age=99999999999999999999999")
	if sc.MaxAge == nil || *sc.MaxAge != maxAgeCap {
		t.Errorf("overflowing Max-Age: %v", sc.MaxAge)
	}
}
