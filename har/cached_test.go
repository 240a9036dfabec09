package har

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// cachedReference is Entry.Cached as it was written first, a header lookup
// per rule: the one-pass Cached is held to it.
func cachedReference(e *Entry) (bool, string) {
	if a := e.ResponseHeader("age"); a != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(a)); err == nil && n > 0 {
			return true, "Age: " + a
		}
	}
	if e.ResponseHeader("x-nextjs-prerender") == "1" {
		return true, "x-nextjs-prerender: 1 (a page rendered at build time)"
	}
	for _, h := range []string{"cf-cache-status", "x-vercel-cache", "x-cache", "x-nextjs-cache", "x-netlify-cache", "cdn-cache", "x-cache-status", "x-proxy-cache", "x-fastly-cache"} {
		v := strings.ToUpper(e.ResponseHeader(h))
		if strings.Contains(v, "HIT") || strings.Contains(v, "STALE") || v == "UPDATING" || v == "REVALIDATED" {
			return true, h + ": " + e.ResponseHeader(h)
		}
	}
	if cs := e.ResponseHeader("cache-status"); cs != "" {
		for _, part := range strings.Split(cs, ",") {
			for _, p := range strings.Split(part, ";") {
				if strings.TrimSpace(strings.ToLower(p)) == "hit" {
					return true, "Cache-Status: " + cs
				}
			}
		}
	}
	return false, ""
}

// TestCachedReference: random response headers (the names Cached reads in
// any case, repeated, with other headers and folding characters between
// them) give the reference's answer.
func TestCachedReference(t *testing.T) {
	names := append(cacheHeaders[:], "content-type", "date", "Kache-status", "x-\u212Aache", "\u212Aey", "set-cookie", "")
	values := []string{"", "0", "12", " 3 ", "-1", "1", "HIT", "hit, miss", "MISS", "stale", "UPDATING", "revalidated", "cdn; hit", "cdn;fwd=miss", "x"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		var e Entry
		for range rng.IntN(6) {
			name := names[rng.IntN(len(names))]
			if rng.IntN(2) == 0 {
				name = strings.ToUpper(name)
			}
			e.Response.Headers = append(e.Response.Headers, Header{Name: name, Value: values[rng.IntN(len(values))]})
		}
		got, gotWhy := e.Cached()
		want, wantWhy := cachedReference(&e)
		if got != want || gotWhy != wantWhy {
			t.Fatalf("case %d %v: got %v %q, want %v %q", i, e.Response.Headers, got, gotWhy, want, wantWhy)
		}
	}
}
