package har

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// collected is a Sink that keeps what it is given.
type collected struct {
	rows  []*Judged
	diag  []Diagnosis
	notes []string
}

func (c *collected) Write(j *Judged)                            { c.rows = append(c.rows, j) }
func (c *collected) AddPasted(diag []Diagnosis, notes []string) { c.diag, c.notes = diag, notes }
func (c *collected) Close(*Story, error) error                  { return nil }

// TestTextDeliveries: text that is webhook deliveries (clerk CLI lines, a
// JSON {headers, body}, a raw request) opens as them: each delivery's
// request is judged as a pasted entry, and Webhooks judges the
// deliveries; other text has none.
func TestTextDeliveries(t *testing.T) {
	for _, tc := range []struct {
		file string
		n    int
	}{
		{"../testdata/webhooks/cli/listen.ndjson", 2},
		{"../testdata/webhooks/cases/01-verified-user-created.json", 1},
		{"../testdata/webhooks/http/verified.http", 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			in, err := Open(Bytes("pasted", data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			setup := &inspect.Setup{}
			var c collected
			if _, err := Analyze(context.Background(), in, Analysis{Setup: setup, Now: time.Unix(1767225600, 0)}, &c); err != nil {
				t.Fatal(err)
			}
			if len(c.rows) != tc.n || c.rows[0].Request.Method != "POST" || len(c.notes) == 0 || c.notes[0] != noteWebhook && c.notes[len(c.notes)-1] != noteWebhook {
				t.Fatalf("%d rows, notes %q", len(c.rows), c.notes)
			}
			rep, err := in.Webhooks(setup, "", time.Unix(1767225600, 0))
			if err != nil || rep == nil || len(rep.Judged) != tc.n || rep.Judged[0].Delivery.ID() == "" {
				t.Fatalf("webhooks %+v, %v", rep, err)
			}
		})
	}
	in, err := Open(Bytes("pasted", []byte("Cookie: __client_uat=0\n")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := in.Webhooks(&inspect.Setup{}, "", time.Now()); rep != nil || err != nil {
		t.Errorf("a Cookie header has deliveries: %v %v", rep, err)
	}
}

// TestWebhooksAreNotSanitized: a capture of webhook deliveries carries no
// cookies by nature; it is not taken for a sanitized export, and its
// deliveries are counted apart, in explain's lean reading too. A
// delivery beside browser requests that lost their cookies still is.
func TestWebhooksAreNotSanitized(t *testing.T) {
	for _, lean := range []bool{false, true} {
		in, err := Open(File("../testdata/webhooks/har/retries-and-duplicate.har"), Options{Lean: lean})
		if err != nil {
			t.Fatal(err)
		}
		var c collected
		s, err := Analyze(context.Background(), in, Analysis{Setup: &inspect.Setup{}}, &c)
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		if s.Counts.Webhooks != 6 || s.Counts.App != 6 || s.Sanitized || findDiagnosis(s.Diagnosis, CodeSanitized) != nil {
			t.Errorf("lean %v: counts %+v, sanitized %v, diagnosis %v", lean, s.Counts, s.Sanitized, diagnosisCodes(s.Diagnosis))
		}
	}
	p := rewriteCapture(t, "../testdata/webhooks/har/retries-and-duplicate.har", func(log map[string]any) {
		entries := log["entries"].([]any)
		page := map[string]any{}
		for k, v := range entries[0].(map[string]any) {
			page[k] = v
		}
		page["request"] = map[string]any{"method": "GET", "url": "https://app.example.com/dashboard", "httpVersion": "HTTP/1.1",
			"headers": []any{map[string]any{"name": "Sec-Fetch-Dest", "value": "document"}}, "queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": 0}
		log["entries"] = append(entries, page)
	})
	_, s, err := analyze(t, p, &inspect.Setup{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Sanitized || s.Counts.Webhooks != 6 {
		t.Errorf("a page load without cookies beside the deliveries: sanitized %v, counts %+v", s.Sanitized, s.Counts)
	}
}

// TestLeanFindsDeliveries: a Lean read (explain's) knows a capture's
// deliveries as a full read does, so Webhooks reads the file again exactly
// when there are some (with the svix-* names as Svix sends them, or in
// capitals); a capture without deliveries is read once either way.
func TestLeanFindsDeliveries(t *testing.T) {
	data, err := os.ReadFile("../testdata/webhooks/har/retries-and-duplicate.har")
	if err != nil {
		t.Fatal(err)
	}
	upper := strings.NewReplacer(`"name": "svix-id"`, `"name": "SVIX-ID"`, `"name": "svix-timestamp"`, `"name": "Svix-Timestamp"`,
		`"name": "svix-signature"`, `"name": "SVIX-Signature"`).Replace(string(data))
	plain, err := os.ReadFile("../testdata/har/b-expired-handshake.har")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data string
		want int
	}{
		{"as sent", string(data), 6},
		{"capitals", upper, 6},
		{"no deliveries", string(plain), 0},
	} {
		var got, opens [2]int
		for i, lean := range []bool{false, true} {
			src := Bytes(tc.name, []byte(tc.data))
			open := src.Open
			src.Open = func() (io.ReadCloser, int64, error) { opens[i]++; return open() }
			in, err := Open(src, Options{Lean: lean})
			if err != nil {
				t.Fatal(err)
			}
			setup := &inspect.Setup{}
			if _, err := Analyze(context.Background(), in, Analysis{Setup: setup}, &collected{}); err != nil {
				t.Fatal(err)
			}
			rep, err := in.Webhooks(setup, "", time.Unix(1767225600, 0))
			in.Close()
			if err != nil {
				t.Fatal(err)
			}
			if rep != nil {
				got[i] = len(rep.Judged)
			}
		}
		if got[0] != tc.want || got[1] != tc.want {
			t.Errorf("%s: %d deliveries in a full read, %d in a Lean one, want %d", tc.name, got[0], got[1], tc.want)
		}
		if want := 1 + min(tc.want, 1); opens[0] != want || opens[1] != want {
			t.Errorf("%s: opened %d times in a full read, %d in a Lean one, want %d", tc.name, opens[0], opens[1], want)
		}
	}
}

// TestLeanKeepsSvixNames: isLean keeps every name holding svix- in any
// case (what MaybeWebhook looks for), however long, and hasSvix reads it
// as strings.ToLower would.
func TestLeanKeepsSvixNames(t *testing.T) {
	for _, name := range []string{"svix-id", "SVIX-ID", "X-Svix-Retry-Count", "x-svix-" + strings.Repeat("long-", 10), "svix", "x-sviz-id", "webhook-id", "Webhook-Signature", "webhook-foo", "sv\u0130x-id", "x-Custom"} {
		want := strings.Contains(strings.ToLower(name), "svix-")
		if hasSvix(name) != want || hasSvix([]byte(name)) != want {
			t.Errorf("hasSvix(%q) = %v, want %v", name, hasSvix(name), want)
		}
		if want && (!isLean(name) || !isLean([]byte(name))) {
			t.Errorf("isLean(%q) drops a svix- name", name)
		}
	}
}
