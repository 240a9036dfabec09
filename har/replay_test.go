package har

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// sdkMessage is the SDK's x-clerk-auth-message for an expired token,
// judged at at.
func sdkMessage(at time.Time) Header {
	return Header{Name: "x-clerk-auth-message", Value: "JWT is expired. Expiry date: " + at.Add(-10*time.Minute).UTC().Format(http1123) + ", Current date: " + at.UTC().Format(http1123) + ". (reason=token-expired, token-carrier=cookie)"}
}

func dateHeader(at time.Time) Header { return Header{Name: "Date", Value: at.UTC().Format(http1123)} }

// TestClockOfStoredResponses: a response a cache stored whole carries the
// SDK's clock and a Date of the moment it was made, both long gone; the
// Date headers of the responses made for their requests are the server's
// clock, and the stored one does not move it. A CDN that stamps Date with
// its own clock shows in each response (its Date apart from the SDK's
// clock): there the SDK's clock stays the server's.
func TestClockOfStoredResponses(t *testing.T) {
	msg, date := sdkMessage, dateHeader
	add := func(b *clockBook, i int, e *Entry) {
		e.Index = i
		for _, s := range clockSamples(e) {
			b.add("example.com", s)
		}
	}

	var stored clockBook
	add(&stored, 0, entry(0, "GET", "https://example.com/dashboard", nil, 200, date(t0)))
	add(&stored, 1, entry(300*time.Millisecond, "GET", "https://example.com/api/data", nil, 401, date(t0.Add(-45*time.Second)), msg(t0.Add(-45*time.Second))))
	add(&stored, 2, entry(400*time.Millisecond, "GET", "https://example.com/api/notifications", nil, 200, date(t0)))
	if off, within, n := stored.app("example.com"); n != 4 || off < -1 || off > 1 || within > 1.5 {
		t.Errorf("with a stored response: offset %.2f ± %.2f from %d samples, want 0 from 4", off, within, n)
	}
	if d, ok := stored.byHost["example.com"].dateDisagrees(); ok {
		t.Errorf("the Date headers are said to be another clock's (%+.0f s): they are the server's", d)
	}

	var cdn clockBook
	for i := range 3 {
		at := time.Duration(i) * 2 * time.Second
		add(&cdn, i, entry(at, "GET", "https://example.com/dashboard", nil, 307, date(t0.Add(at)), msg(t0.Add(at+600*time.Second))))
	}
	if off, _, _ := cdn.app("example.com"); off < 599 || off > 601 {
		t.Errorf("behind a CDN: offset %.2f, want the SDK's 600", off)
	}
	if d, ok := cdn.byHost["example.com"].dateDisagrees(); !ok || d < 599 {
		t.Errorf("behind a CDN: the Date headers agree with the SDK (%v %+.0f)", ok, d)
	}
}

// replayCapture is the reproduction of a response served again by a
// cache that says nothing about itself: nginx's proxy_cache replays a
// 401 the SDK made 45 s before the capture, Date and x-request-id
// included, without an Age header (testdata/diagnosis/README.md).
const replayCapture = "../testdata/diagnosis/proxy-cache-replay"

// replayStory tells the story of the replay capture, or of the copy edit
// makes of it (nil: as captured).
func replayStory(t *testing.T, edit func(log map[string]any)) *Story {
	t.Helper()
	data, err := os.ReadFile(replayCapture + ".meta.json")
	if err != nil {
		t.Fatal(err)
	}
	var m reproMeta
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	setup, _ := m.profileSetup(t)
	path := replayCapture + ".har"
	if edit != nil {
		path = rewriteCapture(t, path, edit)
	}
	_, s, err := analyze(t, path, setup)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// replayedBy is what the replay fact says of an entry told by the SDK's
// clock: judged at 09:59:15 UTC (stored_before_capture in the meta file),
// ago before the browser sent the request.
func replayedBy(entry int, ago string) string {
	return fmt.Sprintf("entry %d (fetch https://example.com/api/data): the SDK's x-clerk-auth-message says it judged at 09:59:15 UTC, %s before the browser sent this request", entry, ago)
}

// editResponses applies edit to every response header of the capture.
func editResponses(log map[string]any, edit func(h map[string]any)) {
	for _, e := range log["entries"].([]any) {
		for _, h := range e.(map[string]any)["response"].(map[string]any)["headers"].([]any) {
			edit(h.(map[string]any))
		}
	}
}

// shiftBrowser moves the browser's clock (every startedDateTime) by d.
func shiftBrowser(t *testing.T, d time.Duration) func(log map[string]any) {
	return func(log map[string]any) {
		for _, key := range []string{"entries", "pages"} {
			items, _ := log[key].([]any)
			for _, it := range items {
				m := it.(map[string]any)
				at, err := time.Parse(time.RFC3339Nano, m["startedDateTime"].(string))
				if err != nil {
					t.Fatal(err)
				}
				m["startedDateTime"] = at.Add(d).UTC().Format(time.RFC3339Nano)
			}
		}
	}
}

// TestReplayedResponse: a response of the SDK's that no header marks as
// cached is told replayed by the SDK's own clock in its
// x-clerk-auth-message, read against the app server's clock as the
// analysis measured it (so a browser whose clock is off changes
// nothing); the responses made for their requests (0, 4) are not.
func TestReplayedResponse(t *testing.T) {
	cases := []struct {
		name string
		// edit makes the copy of the capture told; shift moves its
		// browser's clock.
		edit    func(log map[string]any)
		shift   time.Duration
		entries []int
		seen    []string
	}{
		// Entry 6 is the same stored response again: its response id is
		// entry 3's.
		{"as captured", nil, 0, []int{3, 6}, []string{replayedBy(3, "45 s"), "entry 6 carries the response id of entry 3 (req_0001_18112): the same response, served again"}},
		// Without response ids, the SDK's clock alone tells both.
		{"no response ids", func(log map[string]any) {
			editResponses(log, func(h map[string]any) {
				if strings.EqualFold(h["name"].(string), "x-request-id") {
					h["name"], h["value"] = "x-powered-by", "Next.js"
				}
			})
		}, 0, []int{3, 6}, []string{replayedBy(3, "45 s"), replayedBy(6, "51 s")}},
		// The browser's clock an hour off either way: the SDK's clock is
		// read at the server's, so the replay is as old.
		{"browser clock behind", nil, -time.Hour, []int{3, 6}, []string{replayedBy(3, "45 s")}},
		{"browser clock ahead", nil, time.Hour, []int{3, 6}, []string{replayedBy(3, "45 s")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			edit := tc.edit
			if tc.shift != 0 {
				edit = shiftBrowser(t, tc.shift)
			}
			s := replayStory(t, edit)
			d := findDiagnosis(s.Diagnosis, CodeEdgeCache)
			if d == nil {
				t.Fatalf("no %s diagnosis: %v", CodeEdgeCache, diagnosisLine(s.Diagnosis))
			}
			if d.Confidence != Certain || !slices.Equal(d.Entries, tc.entries) {
				t.Errorf("%s %v, want certain %v", d.Confidence, d.Entries, tc.entries)
			}
			if want := fmt.Sprintf("A cache served the auth middleware's responses (%d responses)", len(tc.entries)); len(tc.entries) > 1 && d.Title != want {
				t.Errorf("title %q, want %q", d.Title, want)
			}
			for _, want := range tc.seen {
				if !slices.ContainsFunc(d.Evidence, func(ev string) bool { return strings.HasPrefix(ev, want) }) {
					t.Errorf("no evidence %q in\n%s", want, strings.Join(d.Evidence, "\n"))
				}
			}
			// What the user reads: the evidence names the cache that says
			// nothing about itself, and the fix follows.
			var text strings.Builder
			WriteDiagnosisText(&text, s.Diagnosis, nil, RenderOptions{})
			flat := strings.Join(strings.Fields(text.String()), " ")
			for _, want := range append([]string{"served again by a cache that adds no header of its own (a reverse proxy's cache, a service worker)", "Fix: Never cache responses of pages the middleware runs on"}, tc.seen[0]) {
				if !strings.Contains(flat, want) {
					t.Errorf("the diagnosis text lacks %q:\n%s", want, text.String())
				}
			}
			for _, other := range []string{CodeServerClockAhead, CodeServerClockBehind, CodeServerDisagrees} {
				if findDiagnosis(s.Diagnosis, other) != nil {
					t.Errorf("%s beside the replay: %s", other, diagnosisLine(s.Diagnosis))
				}
			}
		})
	}
}

// TestFreshResponsesNotReplayed: on every other capture, the responses the
// SDK made for their requests — the SDK's clock in their messages ten
// minutes ahead of the browser's, two minutes behind, an hour off at the
// browser — are never called replayed.
func TestFreshResponsesNotReplayed(t *testing.T) {
	for _, path := range analysisCaptures() {
		name := strings.TrimSuffix(filepath.Base(path), ".har")
		if "../testdata/diagnosis/"+name == replayCapture {
			continue
		}
		for _, shift := range []time.Duration{0, -time.Hour, time.Hour} {
			t.Run(fmt.Sprintf("%s/%v", name, shift), func(t *testing.T) {
				p := path
				if shift != 0 {
					p = rewriteCapture(t, path, shiftBrowser(t, shift))
				}
				_, s, err := analyze(t, p, &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}})
				if err != nil {
					t.Fatal(err)
				}
				if len(s.facts.replayed) > 0 {
					t.Errorf("entries %v called replayed: %v", s.facts.replayed, s.facts.replayedWhy)
				}
			})
		}
	}
}

// TestReplayAmongFewResponses: one response made for its request is
// enough to read the server's clock against; a lone replayed response
// has nothing to be compared with, and is not called replayed.
func TestReplayAmongFewResponses(t *testing.T) {
	setup := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", JWTKey: jwtKey(t)}}
	page := func() *Entry {
		return entry(0, "GET", "https://example.com/", []Header{{Name: "Sec-Fetch-Dest", Value: "document"}}, 200, dateHeader(t0))
	}
	stored := t0.Add(-2 * time.Minute)
	replayed := func() *Entry {
		return entry(time.Second, "GET", "https://example.com/api/data", []Header{{Name: "Sec-Fetch-Dest", Value: "empty"}}, 401, dateHeader(stored), sdkMessage(stored),
			Header{Name: "x-clerk-auth-status", Value: "signed-out"}, Header{Name: "x-clerk-auth-reason", Value: "session-token-expired-refresh-non-eligible-no-refresh-cookie"})
	}
	s := story(t, setup, page(), replayed())
	if d := findDiagnosis(s.Diagnosis, CodeEdgeCache); d == nil || !slices.Equal(d.Entries, []int{1}) || !strings.HasPrefix(d.Evidence[0], "entry 1 (fetch https://example.com/api/data): the SDK's x-clerk-auth-message says it judged at 06:58:00 UTC, 2 min 1 s before the browser sent this request") {
		t.Errorf("after a fresh response: %+v", s.Diagnosis)
	}
	if s := story(t, setup, replayed()); len(s.facts.replayed) > 0 {
		t.Errorf("a lone response called replayed: %v", s.facts.replayedWhy)
	}
}

// TestReplayReadsItsServersClock: the SDK's clock in a response is read
// against the clock of the server that answered, not another app
// server's: an API host two minutes behind the site answers fresh.
func TestReplayReadsItsServersClock(t *testing.T) {
	setup := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", JWTKey: jwtKey(t)}}
	var entries []*Entry
	for i := range 3 {
		at := time.Duration(i) * time.Second
		entries = append(entries, entry(at, "GET", "https://example.com/", []Header{{Name: "Sec-Fetch-Dest", Value: "document"}}, 200, dateHeader(t0.Add(at))))
	}
	for i := range 2 {
		at := 3*time.Second + time.Duration(i)*time.Second
		behind := t0.Add(at - 2*time.Minute)
		entries = append(entries, entry(at, "GET", "https://api.example.com/v1/usage", []Header{{Name: "Sec-Fetch-Dest", Value: "empty"}}, 401, dateHeader(behind), sdkMessage(behind),
			Header{Name: "x-clerk-auth-status", Value: "signed-out"}, Header{Name: "x-clerk-auth-reason", Value: "session-token-expired-refresh-non-eligible-no-refresh-cookie"}))
	}
	if s := story(t, setup, entries...); len(s.facts.replayed) > 0 {
		t.Errorf("fresh answers of api.example.com called replayed: %v", s.facts.replayedWhy)
	}
}
