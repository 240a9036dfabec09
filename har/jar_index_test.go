package har

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// refJar is the jar before it was indexed: one list, searched whole for
// every line. The indexed jar must hold what it held, in its order.
type refJar struct{ cookies []*JarCookie }

func (j *refJar) Apply(reqURL string, line string, at time.Time, entry int) {
	u, err := url.Parse(reqURL)
	if err != nil || u.Hostname() == "" {
		return
	}
	sc := inspect.ParseSetCookie(line)
	if sc.Name == "" {
		return
	}
	host := strings.ToLower(u.Hostname())
	c := &JarCookie{Name: sc.Name, Value: sc.Value, Secure: sc.Secure, SameSite: sc.SameSite, SetBy: entry}
	if d := strings.TrimPrefix(strings.ToLower(sc.Domain), "."); d != "" {
		if !domainMatch(host, d) {
			return
		}
		c.Domain = d
	} else {
		c.Domain, c.HostOnly = host, true
	}
	c.Path = sc.Path
	if c.Path == "" || !strings.HasPrefix(c.Path, "/") {
		c.Path = defaultPath(u.Path)
	}
	switch {
	case sc.MaxAge != nil:
		c.Expires = at.Add(time.Duration(*sc.MaxAge) * time.Second)
	case sc.Expires != nil:
		c.Expires = *sc.Expires
	}
	kept := j.cookies[:0]
	for _, old := range j.cookies {
		if old.Name == c.Name && old.Domain == c.Domain && old.Path == c.Path {
			continue
		}
		kept = append(kept, old)
	}
	j.cookies = kept
	if sc.Deletes(at) {
		return
	}
	j.cookies = append(j.cookies, c)
}

func (j *refJar) Cookies(rawURL string, at time.Time) []*JarCookie {
	l := cookieList{items: j.cookies}
	return l.matching(rawURL, nil, at)
}

// TestJarMatchesReference replays random Set-Cookie lines (replacements,
// deletions, expiry, Domain and Path, Clerk and other names) into both
// jars and compares what each would send, after every line.
func TestJarMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	urls := []string{"https://example.com/", "https://example.com/app/page", "https://www.example.com/", "http://example.com/app", "https://clerk.example.com/v1/client", "https://other.org/"}
	for round := range 4 {
		var j Jar
		var ref refJar
		var cache urlCache
		for i := range 1500 {
			line := fmt.Sprintf("%s=v%d", pick("__session", "__session_abc", "__client_uat", "__client_uat_abc", "_ga", "a", "b", fmt.Sprintf("c%d", rng.IntN(200))), i)
			if rng.IntN(3) == 0 {
				line += "; Path=" + pick("/", "/app", "/app/", "/x")
			}
			if rng.IntN(3) == 0 {
				line += "; Domain=" + pick("example.com", ".example.com", "other.org", "www.example.com")
			}
			switch rng.IntN(6) {
			case 0:
				line += "; Max-Age=0"
			case 1:
				line += fmt.Sprintf("; Max-Age=%d", rng.IntN(5))
			case 2:
				line += "; Secure"
			}
			u := urls[rng.IntN(len(urls))]
			now := at.Add(time.Duration(i) * time.Second / 4)
			j.Apply(u, line, now, i)
			ref.Apply(u, line, now, i)
			if i%7 != 0 {
				continue
			}
			for _, q := range urls {
				want := ref.Cookies(q, now)
				if got := j.Cookies(q, now); !reflect.DeepEqual(got, want) {
					t.Fatalf("round %d, line %d (%s): Cookies(%s) = %s, reference %s", round, i, line, q, jarNames(got), jarNames(want))
				}
				var session []*JarCookie
				for _, c := range want {
					if isClerkSessionCookie(c.Name) {
						session = append(session, c)
					}
				}
				if got := j.SessionCookies(q, now); !reflect.DeepEqual(got, session) {
					t.Fatalf("round %d, line %d: SessionCookies(%s) = %s, want %s", round, i, q, jarNames(got), jarNames(session))
				}
				// As the story asks, the URL parsed by its cache.
				if got := j.session.matching(q, &cache, now); !reflect.DeepEqual(got, session) {
					t.Fatalf("round %d, line %d: session cookies of %s through the URL cache = %s, want %s", round, i, q, jarNames(got), jarNames(session))
				}
			}
		}
	}
}

func jarNames(cs []*JarCookie) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name+"="+c.Value+"@"+c.Domain+c.Path)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// BenchmarkJarOneResponse is issue 10's 100 000 Set-Cookie lines in one
// response (92.6 s before the index; the target is under a second).
func BenchmarkJarOneResponse(b *testing.B) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lines := make([]string, 100_000)
	for i := range lines {
		lines[i] = fmt.Sprintf("c%d=%d; Path=/; Secure; SameSite=Lax", i, i)
	}
	for b.Loop() {
		var j Jar
		for _, l := range lines {
			j.Apply("https://example.com/", l, at, 0)
		}
		if n := len(j.Cookies("https://example.com/", at)); n != len(lines) {
			b.Fatalf("%d cookies", n)
		}
	}
}

// BenchmarkJarEntries is issue 10's 40 000 entries each setting one
// cookie, with what the story asks the jar before each (38.9 s before).
func BenchmarkJarEntries(b *testing.B) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		var j Jar
		for i := range 40_000 {
			now := at.Add(time.Duration(i) * time.Millisecond)
			j.SessionCookies("https://example.com/app", now)
			name := fmt.Sprintf("c%d", i)
			if i%100 == 0 {
				name = "__client_uat"
			}
			j.Apply("https://example.com/app", name+"=1; Path=/", now, i)
		}
	}
}

// setCookieCapture is a capture of entries responses, each with lines
// Set-Cookie lines, on the same origin.
func setCookieCapture(entries, lines int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"log": {"version": "1.2", "creator": {"name": "bench"}, "entries": [`)
	n := 0
	for i := range entries {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"startedDateTime": "2026-01-01T00:00:%02d.%03dZ", "request": {"method": "GET", "url": "https://example.com/api/%d", "headers": [{"name": "Cookie", "value": "_ga=1"}, {"name": "Sec-Fetch-Dest", "value": "empty"}]}, "response": {"status": 200, "headers": [`, i/1000%60, i%1000, i)
		for k := range lines {
			if k > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name": "Set-Cookie", "value": "c%d=%d; Path=/; Secure"}`, n, n)
			n++
		}
		b.WriteString(`]}}`)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

func benchAnalyze(b *testing.B, data []byte) {
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), Options{Lean: true})
		if err != nil {
			b.Fatal(err)
		}
		a := NewAnalyzer(&inspect.Setup{})
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			a.Add(context.Background(), e)
		}
		a.Flush(context.Background())
		a.Finish(r.Log())
	}
}

// setCookieScale is 1 for the sizes of issue 10 (CLERKSCOPE_BENCH_FULL=1),
// else 10: CI runs every benchmark 20 times.
func setCookieScale() int {
	if os.Getenv("CLERKSCOPE_BENCH_FULL") != "" {
		return 1
	}
	return 10
}

// BenchmarkSetCookiesOneResponse is the whole analysis of a capture whose
// one response sets 100 000 cookies (10 000 unless CLERKSCOPE_BENCH_FULL).
func BenchmarkSetCookiesOneResponse(b *testing.B) {
	benchAnalyze(b, setCookieCapture(1, 100_000/setCookieScale()))
}

// BenchmarkSetCookiesEntries is the whole analysis of 40 000 entries each
// setting one cookie (4 000 unless CLERKSCOPE_BENCH_FULL).
func BenchmarkSetCookiesEntries(b *testing.B) {
	benchAnalyze(b, setCookieCapture(40_000/setCookieScale(), 1))
}
