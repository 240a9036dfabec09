package words

import (
	"testing"
	"time"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{"Or keeps a value", Or("x", "-"), "x"},
		{"Or fills an empty one", Or("", "-"), "-"},
		{"Or keeps white space", Or(" ", "-"), " "},
		{"If true", If(true, "yes", "no"), "yes"},
		{"If false", If(false, "yes", "no"), "no"},
		{"FirstLine of one line", FirstLine("a b"), "a b"},
		{"FirstLine of two", FirstLine("a\nb\nc"), "a"},
		{"FirstLine keeps a CR", FirstLine("a\r\nb"), "a\r"},
		{"FirstLine of a leading newline", FirstLine("\nb"), ""},
		{"Relative at the reference", Relative(0, time.Duration.String, "at the request", "the request"), "at the request"},
		{"Relative before", Relative(-90*time.Second, time.Duration.String, "equal to", "the server clock"), "1m30s before the server clock"},
		{"Relative after", Relative(3*time.Second, time.Duration.String, "equal to", "the server clock"), "3s after the server clock"},
		{"Relative with no reference named", Relative(-time.Second, time.Duration.String, "equal to", ""), "1s before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}
