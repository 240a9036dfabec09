package har

import "testing"

// TestURLCache: the cached host and origin are hostOf's and originOf's,
// for the same URL again, another one, and URLs net/url refuses.
func TestURLCache(t *testing.T) {
	var c urlCache
	for _, raw := range []string{"https://App.example.com:8443/a?b", "https://App.example.com:8443/a?b", "http://x.test/",
		"/relative", "https://bad host/", "%zz", "", "https://clerk.example.com/v1/client", "https://App.example.com:8443/a?b"} {
		if got, want := c.host(raw), hostOf(raw); got != want {
			t.Errorf("host(%q) = %q, want %q", raw, got, want)
		}
		if got, want := c.origin(raw), originOf(raw); got != want {
			t.Errorf("origin(%q) = %q, want %q", raw, got, want)
		}
	}
	var none *urlCache
	if none.host("https://a.test/x") != "a.test" || none.origin("https://a.test/x") != "https://a.test" {
		t.Error("a nil cache does not parse")
	}
}
