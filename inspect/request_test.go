package inspect

import (
	"strings"
	"testing"
)

// headerLists are header lines that the engine's one-pass index must read
// as Request.Get reads them: every case of a name, repeats, names that
// only strings.EqualFold's Unicode folding makes one of the engine's, and
// names of the same lengths that are not.
var headerLists = [][]Header{
	nil,
	{{"Cookie", " a=1 "}, {"Host", "example.com"}},
	{{"cookie", "a=1"}, {"COOKIE", "b=2"}, {"origin", "https://x"}, {"Origin", "https://y"}},
	{{"X-Forwarded-Proto", "https, http"}, {"X-Forwarded-Host", "a.example, b"}, {":authority", "c.example"}},
	{{"authorization", "Bearer x"}, {"Authorization", "Basic y"}, {"referer", "\thttps://r/\r\n"}},
	{{"sec-fetch-dest", "document"}, {"Sec-Fetch-Dest", ""}, {"accept", "text/html"}, {"ACCEPT", "*/*"}},
	{{"coo\u212Aie", "kelvin=1"}, {"cookie", "plain=1"}},
	{{"\u017Fec-fetch-dest", "long-s"}, {"ho\u017Ft", "h.example"}},
	{{"cookiX", "1"}, {"originn", "2"}, {"acce\u00e9t", "3"}, {"hos", "4"}, {"x-forwarded-protx", "5"}},
	{{"accepT", "a"}, {"ORIGIN", "o"}, {"oRiGiN", "o2"}, {"@ookie", "no"}, {"Cookie", "c"}},
	{{"host", ""}, {"x-forwarded-host", " "}},
}

// TestHeaderIndex holds the index of the headers the engine reads to
// Request.Get, name by name.
func TestHeaderIndex(t *testing.T) {
	for _, list := range headerLists {
		req := Request{Headers: list}
		hx := indexHeaders(&req)
		for h, name := range readHeaderNames {
			wantV, wantOK := req.Get(name)
			gotV, gotOK := hx.get(h)
			if gotV != wantV || gotOK != wantOK {
				t.Errorf("%v: %s: index gives %q, %v; Get gives %q, %v", list, name, gotV, gotOK, wantV, wantOK)
			}
		}
	}
}

// FuzzHeaderIndex is TestHeaderIndex for lines of fuzzed names and
// values.
func FuzzHeaderIndex(f *testing.F) {
	for _, list := range headerLists {
		var names []string
		for _, h := range list {
			names = append(names, h.Name)
		}
		f.Add(strings.Join(names, "\n"), " \tv\r\n")
	}
	f.Fuzz(func(t *testing.T, names, value string) {
		var req Request
		for i, n := range strings.Split(names, "\n") {
			req.Add(n, value[:i%(len(value)+1)])
		}
		hx := indexHeaders(&req)
		for h, name := range readHeaderNames {
			wantV, wantOK := req.Get(name)
			if gotV, gotOK := hx.get(h); gotV != wantV || gotOK != wantOK {
				t.Fatalf("%q: %s: index gives %q, %v; Get gives %q, %v", names, name, gotV, gotOK, wantV, wantOK)
			}
		}
	})
}
