package js

import "testing"

// TestURLControlCharacters: what Node 20's new URL() prints for URLs with
// control characters (node -e 'new URL(s).href'): stripped at the ends,
// tabs and newlines removed, other controls percent-encoded; in the host
// they still fail.
func TestURLControlCharacters(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://example.com/dash\x1bboard", "https://example.com/dash%1Bboard"},
		{" \x01https://example.com/a\tb\nc?q=\x1b[2J#f\x07\x7f ", "https://example.com/abc?q=%1B[2J#f%07%7F"},
		{"https://example.com/p\x7fq", "https://example.com/p%7Fq"},
		{"https://exa\x1bmple.com/", ""},
	} {
		u, err := ParseURL(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%q: parsed as %s, Node throws ERR_INVALID_URL", tc.in, u.Href())
		case tc.want != "" && err != nil:
			t.Errorf("%q: %v, Node prints %s", tc.in, err, tc.want)
		case tc.want != "" && u.Href() != tc.want:
			t.Errorf("%q: %s, Node prints %s", tc.in, u.Href(), tc.want)
		}
	}
}
