package har

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// TestStoryMemoryBounded: what the story keeps does not grow with the
// capture. A capture where every same-origin request sends the session
// cookie, as browsers send it (what bighar --cookies makes), is read with
// 2 000 and with 22 000 such requests; the heap (the story kept) after
// the second may hold at most a few bytes per request more than after the
// first. The story kept every request's index in a slice per finding
// (both cookie sets sent, an API call signed out, its token expired, the
// server's headers differ from the verdict): 10 bytes a request here, and
// explain's live heap rose from 3 to 16 MB over the 6.6 GB bighar
// --cookies file (915 000 requests).
func TestStoryMemoryBounded(t *testing.T) {
	pem, err := os.ReadFile("../testdata/keys/instance-public.pem")
	if err != nil {
		t.Fatal(err)
	}
	setup := &inspect.Setup{Options: inspect.Options{JWTKey: string(pem)}}
	// heap is the heap in use once the capture at path is read, with its
	// story kept, and how many requests the story judged.
	heap := func(path string) (uint64, int) {
		s, err := streamCapture(t, path, setup, false, func(*Judged) {})
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC() // twice: a sync.Pool's objects outlive one collection
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc, s.Counts.SignedIn + s.Counts.SignedOut + s.Counts.Handshake
	}
	const few, many = 2000, 22000
	for _, c := range []struct {
		name    string
		headers []any // of each added response
	}{
		{"every request sends the cookies", nil},
		// The server's x-clerk-auth headers differ from the verdict
		// (kept whole, a bit each: which no other cause explains).
		{"and the server's headers disagree", []any{map[string]any{"name": "x-clerk-auth-status", "value": "signed-out"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fewPath := withCookieRequests(t, "../testdata/har/b-expired-handshake.har", few, c.headers)
			manyPath := withCookieRequests(t, "../testdata/har/b-expired-handshake.har", many, c.headers)
			before, judged1 := heap(fewPath)
			after, judged2 := heap(manyPath)
			// The requests are judged and counted: the story saw all of them.
			if judged2-judged1 != many-few {
				t.Fatalf("the story counts %d and %d requests judged: not %d more", judged1, judged2, many-few)
			}
			grew := int64(after) - int64(before)
			t.Logf("the heap grew by %d bytes for %d more requests", grew, many-few)
			if grew > 2*(many-few) {
				t.Errorf("the heap grew by %d bytes for %d more requests (%.1f a request)", grew, many-few, float64(grew)/(many-few))
			}
		})
	}
}

// withCookieRequests writes the capture at path with n requests added
// after its own, each a fetch to the same origin that sends the Cookie
// header of the capture's last same-origin request with a __session, as
// a browser does, and answers 200 with headers (none if nil). It returns
// the new file's path.
func withCookieRequests(t *testing.T, path string, n int, headers []any) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var capture struct {
		Log struct {
			Entries []map[string]any `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(raw, &capture); err != nil {
		t.Fatal(err)
	}
	var origin, cookie string
	var last time.Time
	for _, e := range capture.Log.Entries {
		req := e["request"].(map[string]any)
		for _, h := range req["headers"].([]any) {
			h := h.(map[string]any)
			if strings.EqualFold(h["name"].(string), "cookie") && strings.Contains(h["value"].(string), "__session=") &&
				!strings.Contains(req["url"].(string), "clerk.") {
				u := req["url"].(string)
				origin, cookie = u[:strings.Index(u[len("https://"):], "/")+len("https://")], h["value"].(string)
			}
		}
		if at, err := time.Parse(time.RFC3339Nano, e["startedDateTime"].(string)); err == nil && at.After(last) {
			last = at
		}
	}
	if cookie == "" {
		t.Fatalf("%s: no same-origin request sends __session", path)
	}
	for i := range n {
		capture.Log.Entries = append(capture.Log.Entries, map[string]any{
			"startedDateTime": last.Add(time.Duration(i+1) * time.Millisecond).Format(time.RFC3339Nano),
			"time":            1,
			"request": map[string]any{
				"method": "GET", "url": fmt.Sprintf("%s/api/items/%d", origin, i), "httpVersion": "HTTP/1.1",
				"headers": []any{map[string]any{"name": "Cookie", "value": cookie}}, "queryString": []any{}, "cookies": []any{},
				"headersSize": -1, "bodySize": 0,
			},
			"response": map[string]any{
				"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": append([]any{}, headers...), "cookies": []any{},
				"content":     map[string]any{"size": 2, "mimeType": "application/json", "text": "{}"},
				"redirectURL": "", "headersSize": -1, "bodySize": 2,
			},
			"_resourceType": "fetch",
			"cache":         map[string]any{},
			"timings":       map[string]any{"send": 0, "wait": 1, "receive": 0},
		})
	}
	out, err := json.Marshal(capture)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("cookies-%d.har", n))
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEntrySet: the set of entries kept a bit each gives what the slice
// of their indexes gave: the count, and the first maxEntries in order, of
// all or of those a question keeps.
func TestEntrySet(t *testing.T) {
	var s entrySet
	var all []int
	for i := 3; i < 5000; i += 7 {
		s.add(i)
		all = append(all, i)
	}
	s.add(100003) // far past the last, a word of its own
	all = append(all, 100003)
	s.add(12) // an entry added twice counts once
	s.add(12)
	all = append(all, 12)
	slices.Sort(all)
	if s.n != len(all) {
		t.Errorf("n = %d, want %d", s.n, len(all))
	}
	if got := s.first(nil); !slices.Equal(got, all[:maxEntries]) {
		t.Errorf("first = %v, want %v", got, all[:maxEntries])
	}
	odd := func(e int) bool { return e%2 == 1 }
	var want []int
	for _, e := range all {
		if odd(e) && len(want) < maxEntries {
			want = append(want, e)
		}
	}
	if got := s.first(odd); !slices.Equal(got, want) {
		t.Errorf("first(odd) = %v, want %v", got, want)
	}
	if got := s.first(func(e int) bool { return e == 100003 }); !slices.Equal(got, []int{100003}) {
		t.Errorf("the last entry alone: %v", got)
	}
	var empty entrySet
	if empty.first(nil) != nil || empty.n != 0 {
		t.Error("an empty set names entries")
	}
}
