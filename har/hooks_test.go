package har

import (
	"context"
	"os"
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
