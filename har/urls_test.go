package har

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

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
	// Asked in the other order, and the parsed URL itself.
	var d urlCache
	for _, raw := range []string{"https://App.example.com:8443/a?b", "http://x.test/", "/relative", "%zz", "https://a.test/p?q=1"} {
		if got, want := d.origin(raw), originOf(raw); got != want {
			t.Errorf("origin(%q) first = %q, want %q", raw, got, want)
		}
		if got, want := d.host(raw), hostOf(raw); got != want {
			t.Errorf("host(%q) after origin = %q, want %q", raw, got, want)
		}
		u, err := url.Parse(raw)
		if got := d.url(raw); (got == nil) != (err != nil) || got != nil && *got != *u {
			t.Errorf("url(%q) = %v, want %v (%v)", raw, got, u, err)
		}
	}
	var none *urlCache
	if none.host("https://a.test/x") != "a.test" || none.origin("https://a.test/x") != "https://a.test" {
		t.Error("a nil cache does not parse")
	}
}

// TestCookieMarks: the marks are strings.Contains's, for the same header
// again and another one, with a cache and without.
func TestCookieMarks(t *testing.T) {
	var m cookieMarks
	for _, c := range []string{"a=1; __clerk_handshake=x", "a=1; __clerk_handshake=x", "__clerk_handshake_nonce=n", "", "__session=s",
		"x__clerk_handshake_nonce=1; __clerk_handshake=2"} {
		wantHS, wantNonce := strings.Contains(c, markHandshake), strings.Contains(c, markNonce)
		for _, mm := range []*cookieMarks{&m, nil} {
			if hs, nonce := mm.of(c); hs != wantHS || nonce != wantNonce {
				t.Errorf("marks(%q) = %v %v, want %v %v", c, hs, nonce, wantHS, wantNonce)
			}
		}
	}
}

// TestHandshakeQuery: handshakeQuery is url.ParseQuery's Has of either
// name, for queries that name them as written, escaped, as a prefix or a
// value, and malformed ones.
func TestHandshakeQuery(t *testing.T) {
	for _, q := range []string{"", "a=1", "__clerk_handshake=x", "a=1&__clerk_handshake_nonce=n", "__clerk_handshake",
		"__clerk_handshakes=1", "x__clerk_handshake=1", "a=__clerk_handshake", "__clerk_%68andshake=1", "__clerk_handshake%5fnonce=1",
		"%zz&__clerk_handshake=1", "__clerk_handshake=1;a=2", "a=1;__clerk_handshake=2", "__clerk_handshake=%zz", "%5F_clerk_handshake",
		"a=%20&b=2", "__clerk+handshake=1", "&&__clerk_handshake_nonce&&"} {
		v, _ := url.ParseQuery(q)
		if got, want := handshakeQuery(q), v.Has("__clerk_handshake") || v.Has("__clerk_handshake_nonce"); got != want {
			t.Errorf("handshakeQuery(%q) = %v, want %v", q, got, want)
		}
	}
}

// TestEqualFold: equalFold is strings.EqualFold on names alike and not,
// of other lengths, empty, and with characters outside ASCII that fold to
// ASCII letters (the Kelvin sign, the long s) first or after.
func TestEqualFold(t *testing.T) {
	names := []string{"", "c", "C", "cookie", "Cookie", "COOKIE", "cookies", "cookiE", "\u212Aey", "key", "KEY", "\u017Fet-cookie",
		"set-cookie", "Set-Cookie", "x-clerk-auth-status", "X-Clerk-Auth-Status", "@a", "`a", "[a", "{a", "\xffa", "\xff", "é", "É",
		"location", "Location", "age", "Age", "\u212A", "k", "K", "s", "S", "\u017F"}
	for _, a := range names {
		for _, b := range names {
			if got, want := equalFold(a, b), strings.EqualFold(a, b); got != want {
				t.Errorf("equalFold(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}

// TestPlainURL: plainURL gives url.Parse's URL, field for field, for
// every URL it takes, and takes the plain ones; URLs of every other shape
// (escapes, fragments, user info, IPv6, odd ports, spaces, controls,
// characters the path escapes) it leaves to url.Parse. Random URLs over
// an alphabet of the characters that matter check the same.
func TestPlainURL(t *testing.T) {
	plain := []string{"https://example.com", "https://example.com/", "http://example.com/a/b.png", "https://Example.COM:8443/x?y=1&z",
		"https://a.b-c.d/p?", "https://h/a:b;c=d@e$f&g+h,i~j_k.l-m", "http://localhost:3000/api/x?__clerk_handshake=abc", "https://h?q=1",
		"https://h/p?a?b", "https://h/p?%41=1", "https://clerk.example.com/v1/client?__clerk_api_version=2025-11-10&_clerk_js_version=5.125.0"}
	for _, raw := range plain {
		if _, ok := plainURL(raw); !ok {
			t.Errorf("plainURL(%q) declined a plain URL", raw)
		}
	}
	other := []string{"", "/relative", "HTTPS://h/", "https://", "https:///p", "https://u@h/", "https://u:p@h/", "https://[::1]:80/", "https://h:/",
		"https://h:x/", "https://h/%41", "https://h/a b", "https://h/#f", "https://h/p?q#f", "https://h/(x)", "https://h/é", "https://h/p?a b",
		"https://h/p?\x7f", "ftp://h/", "https://h_h/", "https://h:1:2/", "https://h/\x00", "mailto:a@b", "https:h"}
	rng := rand.New(rand.NewPCG(9, 10))
	alphabet := "aZ09.-_~:/?#@%&=+;,$!()*'[] \x7f\xc3\x01"
	for range 100000 {
		b := []byte(pick2(rng, "https://", "http://", "https:", "HTTP://", ""))
		for range rng.IntN(30) {
			if rng.IntN(3) == 0 {
				b = append(b, alphabet[rng.IntN(len(alphabet))])
			} else {
				b = append(b, "hxample"[rng.IntN(7)])
			}
		}
		other = append(other, string(b))
	}
	for _, raw := range append(plain, other...) {
		want, err := url.Parse(raw)
		got, ok := plainURL(raw)
		if !ok {
			continue
		}
		if err != nil || *got != *want {
			t.Fatalf("plainURL(%q) = %#v, url.Parse %#v, %v", raw, got, want, err)
		}
		if p := parseURL(raw); p == nil || *p != *want {
			t.Fatalf("parseURL(%q) = %#v, want %#v", raw, p, want)
		}
	}
	for _, raw := range other[:24] {
		if _, ok := plainURL(raw); ok {
			t.Errorf("plainURL(%q) took a URL that is not plain", raw)
		}
	}
}

func pick2(rng *rand.Rand, xs ...string) string { return xs[rng.IntN(len(xs))] }

// TestCookieHeader: the Cookie header is the request's Cookie headers
// joined with "; " (one of them as it is, none: rebuilt from cookies[]).
func TestCookieHeader(t *testing.T) {
	for _, tc := range []struct {
		headers []Header
		cookies []Cookie
		want    string
		raw     bool
	}{
		{nil, nil, "", false},
		{[]Header{{"Accept", "x"}}, nil, "", false},
		{[]Header{{"Cookie", "a=1"}}, nil, "a=1", true},
		{[]Header{{"cookie", "a=1"}, {"Accept", "x"}, {"COOKIE", "b=2"}}, nil, "a=1; b=2", true},
		{[]Header{{"Cookie", "a=1"}, {"Cookie", ""}, {"Cookie", "c=3"}}, nil, "a=1; ; c=3", true},
		{[]Header{{"Accept", "x"}}, []Cookie{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}, "a=1; b=2", false},
		{[]Header{{"Cookie", "z=9"}}, []Cookie{{Name: "a", Value: "1"}}, "z=9", true},
	} {
		e := &Entry{Request: Request{Headers: tc.headers, Cookies: tc.cookies}}
		if got, raw := e.CookieHeader(); got != tc.want || raw != tc.raw {
			t.Errorf("CookieHeader of %v, %v = %q, %v; want %q, %v", tc.headers, tc.cookies, got, raw, tc.want, tc.raw)
		}
	}
}

// TestCachedMemoClerkHeaders: the memo's hasClerkHeaders is the entry's,
// asked before Cached and after, for the entry again, another one, and
// one changed in place (another index), with a memo and without.
func TestCachedMemoClerkHeaders(t *testing.T) {
	with := &Entry{Index: 1, Response: Response{Headers: []Header{{"X-Clerk-Auth-Status", "signed-out"}, {"Age", "3"}}}}
	without := &Entry{Index: 2, Response: Response{Headers: []Header{{"Content-Type", "text/html"}}}}
	var m cachedMemo
	for i, e := range []*Entry{with, with, without, with, without, without} {
		if i == 3 {
			m.of(e)
		}
		for _, mm := range []*cachedMemo{&m, nil} {
			if got, want := mm.clerkHeaders(e), hasClerkHeaders(e); got != want {
				t.Errorf("step %d: clerkHeaders = %v, want %v", i, got, want)
			}
			if got, _ := mm.of(e); got != (e == with) {
				t.Errorf("step %d: Cached = %v", i, got)
			}
		}
	}
	moved := *without
	moved.Response.Headers = with.Response.Headers
	without.Index, without.Response = 3, moved.Response
	if !m.clerkHeaders(without) {
		t.Error("an entry changed in place (another index) kept its old answer")
	}
}

// TestCachedMemoCookieHeader: the memo's Cookie header is the entry's,
// raw or rebuilt from cookies[], for the entry again and the next one,
// through the memo, a Classifier's and a story's, and without.
func TestCachedMemoCookieHeader(t *testing.T) {
	entries := []*Entry{
		{Index: 0, Request: Request{Headers: []Header{{"Cookie", "__session=a"}}}},
		{Index: 1, Request: Request{Cookies: []Cookie{{Name: "__session", Value: "b"}, {Name: "x", Value: "1"}}}},
		{Index: 2},
	}
	var m cachedMemo
	cl := &Classifier{cached: &m}
	st := &Story{cached: &m}
	for _, e := range append(entries, entries[1], entries[1], entries[0]) {
		want, wantRaw := e.CookieHeader()
		for _, f := range []func(*Entry) (string, bool){m.cookieHeader, (*cachedMemo)(nil).cookieHeader, cl.cookieHeader, st.cookieHeader, (*Story)(nil).cookieHeader} {
			if got, raw := f(e); got != want || raw != wantRaw {
				t.Errorf("entry %d: cookie header %q, %v; want %q, %v", e.Index, got, raw, want, wantRaw)
			}
		}
	}
}
