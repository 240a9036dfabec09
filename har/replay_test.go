package har

import (
	"testing"
	"time"
)

// TestClockOfStoredResponses: a response a cache stored whole carries the
// SDK's clock and a Date of the moment it was made, both long gone; the
// Date headers of the responses made for their requests are the server's
// clock, and the stored one does not move it. A CDN that stamps Date with
// its own clock shows in each response (its Date apart from the SDK's
// clock): there the SDK's clock stays the server's.
func TestClockOfStoredResponses(t *testing.T) {
	msg := func(at time.Time) Header {
		return Header{Name: "x-clerk-auth-message", Value: "JWT is expired. Expiry date: Mon, 30 Nov 2026 09:46:00 GMT, Current date: " + at.UTC().Format(http1123) + ". (reason=token-expired, token-carrier=cookie)"}
	}
	date := func(at time.Time) Header { return Header{Name: "Date", Value: at.UTC().Format(http1123)} }
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
