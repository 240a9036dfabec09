package words

import "testing"

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
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}
