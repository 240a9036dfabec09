package js

import (
	"fmt"
	"reflect"
	"testing"
)

// plainURLs have the shape parsePlainURL reads; otherURLs are read by
// net/url alone (or refused).
var (
	plainURLs = []string{
		"https://example.com/dashboard",
		"https://example.com",
		"http://example.com",
		"https://EXAMPLE.com/Path",
		"https://example.com:443/a",
		"http://example.com:80/a",
		"https://example.com:80/a",
		"http://example.com:443",
		"https://example.com:/a",
		"https://example.com:0443/a",
		"http://localhost:3000/api/me?x=1",
		"http://127.0.0.1:8080/",
		"https://a-b.example.co.uk/x/y/z.js?v=1.2.3&w=",
		"https://example.com?q",
		"https://example.com?",
		"https://example.com/?",
		"https://example.com/#",
		"https://example.com#frag",
		"https://example.com/p#frag?x=1",
		"https://example.com/p?x=1#frag#more",
		"https://example.com/p?a=b&&c=d&=e&f",
		"https://example.com/p?a=%20b+c&d=%zz&e=%E2%82%AC&f=%ff",
		"https://example.com/p?q=\"<>'`{}|\\^[]",
		"https://example.com/p?q=%2",
		"https://example.com//double//slash",
		"https://example.com/a/../b/./c",
		"https://example.com/!$&'()*+,;=:@-._~",
		"https://example.com/p?__clerk_db_jwt=dvb_x&__clerk_synced=true",
		"https://example.com/sign-in?redirect_url=https%3A%2F%2Fexample.com%2F",
		"https://example.com/a?b?c",
		"https://-.example/",
		"https://..:1/",
		"https://1.2.3.4.5/",
	}
	otherURLs = []string{
		"",
		"/relative",
		"example.com/x",
		"https:/example.com",
		"https:///path",
		"https://:443/",
		"https://example.com:44a/",
		"https://example.com:1:2/",
		"https://user:pass@example.com/",
		"https://[::1]:8080/",
		"https://exa_mple.com/",
		"https://exa%41mple.com/",
		"https://ex\u00e4mple.com/",
		"https://example.com/a b",
		"https://example.com/a%20b",
		"https://example.com/a%2Fb",
		"https://example.com/a%zzb",
		"https://example.com/\"quote\"",
		"https://example.com/a{b}|c^d`e[f]\\g",
		"https://example.com/\u00e9",
		"https://example.com/#a%20b",
		"https://example.com/#a b",
		"https://example.com/?a b",
		"https://example.com/?\u00e9",
		"https://example.com/\x7f",
		" https://example.com/",
		"https://example.com/\t",
		"https://example.com/a\nb",
		"HTTPS://example.com/",
		"Https://example.com/",
		"ftp://example.com/",
		"wss://example.com/",
		"https:example.com",
		"https://exa\x1bmple.com/",
	}
)

// TestPlainURL: every URL of the plain shape is read by parsePlainURL,
// and as net/url reads it; every other one is left to net/url.
func TestPlainURL(t *testing.T) {
	for _, s := range plainURLs {
		fast := new(URL)
		if !parsePlainURL(fast, s) {
			t.Errorf("%q: not read as a plain URL", s)
			continue
		}
		samePlainURL(t, s, fast)
	}
	for _, s := range otherURLs {
		if parsePlainURL(new(URL), s) {
			t.Errorf("%q: read as a plain URL", s)
		}
	}
}

// TestParseURLInto: ParseURLInto gives what ParseURL gives, whatever its
// destination held.
func TestParseURLInto(t *testing.T) {
	for _, s := range append(plainURLs, otherURLs...) {
		want, wantErr := ParseURL(s)
		dst, _ := ParseURL("https://held.example/old?x=1#f")
		err := ParseURLInto(dst, s)
		if (err != nil) != (wantErr != nil) || err == nil && !reflect.DeepEqual(dst, want) {
			t.Errorf("%q: into %s, %v; ParseURL %s, %v", s, describeURL(dst), err, describeURL(want), wantErr)
		}
	}
}

// FuzzPlainURL: whatever parsePlainURL reads, net/url reads the same.
func FuzzPlainURL(f *testing.F) {
	for _, s := range append(plainURLs, otherURLs...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if fast := new(URL); parsePlainURL(fast, s) {
			samePlainURL(t, s, fast)
		}
	})
}

func samePlainURL(t *testing.T, s string, fast *URL) {
	t.Helper()
	slow, err := parseURL(s)
	if err != nil {
		t.Fatalf("%q: read as a plain URL, net/url says %v", s, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q:\nplain:   %s\nnet/url: %s", s, describeURL(fast), describeURL(slow))
	}
	// What the engine reads of it, and a change made through its params.
	if fast.Href() != slow.Href() || fast.Origin() != slow.Origin() || fast.Hostname() != slow.Hostname() {
		t.Fatalf("%q: plain %s, net/url %s", s, fast.Href(), slow.Href())
	}
	fast.Set("__clerk_synced", "true")
	slow.Set("__clerk_synced", "true")
	if fast.Href() != slow.Href() {
		t.Fatalf("%q after Set: plain %s, net/url %s", s, fast.Href(), slow.Href())
	}
}

func describeURL(w *URL) string {
	if w == nil {
		return "(nil)"
	}
	q := "(none)"
	if w.hasQuery {
		q = w.query
	}
	return fmt.Sprintf("%s | %s | %s | %s | %s | %q", w.scheme, w.host, w.path, q, w.fragment, w.params)
}
