package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

const retriesHAR = "../testdata/webhooks/har/retries-and-duplicate.har"

// hookSecret is the signing secret a webhook capture was made with.
func hookSecret(t testing.TB, expect string) string {
	t.Helper()
	data, err := os.ReadFile(expect)
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ Secret string }
	if err := json.Unmarshal(data, &e); err != nil || e.Secret == "" {
		t.Fatalf("no secret in %s: %v", expect, err)
	}
	return e.Secret
}

func hookApp(t testing.TB, w, h int) (*app, string) {
	cfg := testConfig(t, retriesHAR)
	cfg.WebhookSecret = hookSecret(t, "../testdata/webhooks/har/retries-and-duplicate.expect.json")
	return newApp(t, cfg, w, h), cfg.WebhookSecret
}

// TestWebhookRows (issue 12, point 6): a HAR's webhook deliveries are
// rows of their own (WH) with a Webhook tab: the verdict, the event, the
// cause and fix, the attempts of the message; the Timeline and the banner
// tell the deliveries' story; the secret is never shown.
func TestWebhookRows(t *testing.T) {
	m, secret := hookApp(t, 120, 40)
	if n := m.cap.hookCount(); n != 6 || len(m.cap.filtered) != 6 {
		t.Fatalf("%d webhook rows, %d listed", n, len(m.cap.filtered))
	}
	for _, r := range m.cap.rows {
		if r.badge() != "WH" || r.hook() == nil {
			t.Errorf("entry %d: badge %s", r.judged().Entry.Index, r.badge())
		}
	}
	if !strings.Contains(m.status, "6 webhook deliveries (WH)") {
		t.Errorf("status %q", m.status)
	}
	// The banner leads with the deliveries' surest cause.
	if out := screen(m); !strings.Contains(out, "CAUSE (certain) Webhook: the handler failed on a duplicate insert") {
		t.Errorf("banner:\n%s", out)
	}
	press(t, m, "g", "j", "j", "j", "j") // entry 4: the repeat that failed
	if m.cap.shownTab() != tabWebhook {
		t.Fatalf("a delivery opens on %s", m.cap.shownTab())
	}
	tabText := ansi.Strip(m.cap.page(tabWebhook, m.cap.selected(), 100))
	flat := strings.Join(strings.Fields(tabText), " ")
	for _, want := range []string{"VERIFIED msg_2yB2duplicateDelivery0002", "user.updated of user_2xG7kQpL9wRzT4mN8vB3cD5fH1j",
		"CAUSE (certain) the handler failed on a duplicate insert [duplicate-insert]", "Fix:", "Make the handler idempotent",
		"Attempts of this message (2)", "#1 00:10:01 entry 3 200 after 15.5 s (past Svix's 15 s: a failure)", "▶ #2",
		"secret: " + webhook.MaskSecret(secret), "svix-signature: v1,‹sig#", "[W6] pass", "The event's data"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the Webhook tab lacks %q:\n%s", want, tabText)
		}
	}
	if strings.Contains(tabText, secret) {
		t.Error("the secret is on screen")
	}
	// The tabs of a delivery; its request's Verdict is one of them.
	press(t, m, "]")
	if m.cap.shownTab() != tabVerdict {
		t.Errorf("] from Webhook shows %s", m.cap.shownTab())
	}
	press(t, m, "t")
	items := 0
	for _, it := range m.cap.timeline.items {
		if it.kind == tlDiagnosis && strings.HasPrefix(it.diag.Title, "Webhook: ") {
			items++
		}
	}
	if items < 4 {
		t.Errorf("the Timeline tells %d of the deliveries' diagnoses", items)
	}
	// The copy menu offers the delivery itself, as raw HTTP.
	press(t, m, "y")
	if !m.c.keys.CopyDelivery.Enabled() || m.c.keys.CopyToken.Enabled() {
		t.Errorf("copy menu: delivery %v, token %v", m.c.keys.CopyDelivery.Enabled(), m.c.keys.CopyToken.Enabled())
	}
	_, text, err := copied(m, "d")
	if err != nil || !strings.HasPrefix(text, "POST /api/webhooks HTTP/1.1\r\n") || !strings.Contains(text, "svix-id: msg_2yB2duplicateDelivery0002") {
		t.Errorf("delivery copied as %q (%v)", clip(text, 200), err)
	}
	press(t, m, "esc")
}

// TestWebhookWithoutSecret: without the signing secret the deliveries are
// not verified, and the banner still leads with what the handler's
// answers show, not with the secret clerkscope lacks.
func TestWebhookWithoutSecret(t *testing.T) {
	m := newApp(t, testConfig(t, retriesHAR), 120, 40)
	ds := hookDiagnoses(m.cap.hooks)
	i := slices.IndexFunc(ds, func(d har.Diagnosis) bool { return d.Code == webhook.CodeMissingSecret })
	if i < 0 || ds[0].Code == webhook.CodeMissingSecret || !ds[0].Problem {
		t.Fatalf("diagnoses %v: want a problem of the deliveries first and the missing secret after", diagnosisCodesOf(ds))
	}
	for _, d := range ds[i+1:] {
		if d.Problem && d.Confidence == har.Certain {
			t.Errorf("the missing secret is ranked before %s", d.Code)
		}
	}
	if out := screen(m); strings.Contains(strings.SplitN(out, "\n", 3)[1], "no signing secret") {
		t.Errorf("the banner leads with the missing secret:\n%s", out)
	}
}

func diagnosisCodesOf(ds []har.Diagnosis) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

// TestWebhookReport: the dashboard's report lists the deliveries with
// their cause, signatures redacted and the secret masked.
func TestWebhookReport(t *testing.T) {
	m, secret := hookApp(t, 120, 40)
	var buf bytes.Buffer
	if err := m.cap.reportInput().write(&buf); err != nil {
		t.Fatal(err)
	}
	rep := buf.String()
	for _, want := range []string{"## Webhook deliveries", "with the secret `" + webhook.MaskSecret(secret) + "`", "| 5 | 4 | 00:10:22 | msg_2yB2duplicateDelivery0002 | user.updated | verified | 500 | `duplicate-insert` |",
		"svix-signature: `v1,‹sig#", "### Across deliveries", "`dedupe-on-data-id`"} {
		if !strings.Contains(rep, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(rep, secret) {
		t.Error("the report holds the secret")
	}
	for _, r := range m.cap.rows {
		sig, _ := r.hook().Delivery.Get(webhook.HeaderSvixSignature)
		if _, raw, _ := strings.Cut(sig, ","); strings.Contains(rep, raw) {
			t.Errorf("entry %d: the report holds its signature", r.judged().Entry.Index)
		}
	}
}

// TestWebhookGoldens: a delivery's Webhook tab at 80×24 and 120×40, with
// and without a secret.
func TestWebhookGoldens(t *testing.T) {
	for _, secret := range []bool{true, false} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			name := fmt.Sprintf("secret-%v/%dx%d", secret, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				cfg := testConfig(t, retriesHAR)
				if secret {
					cfg.WebhookSecret = hookSecret(t, "../testdata/webhooks/har/retries-and-duplicate.expect.json")
				}
				m := newApp(t, cfg, size[0], size[1])
				press(t, m, "g", "j", "j", "j", "j")
				golden.RequireEqual(t, screen(m))
			})
		}
	}
}

// TestPastedDelivery (issue 12): a webhook delivery pasted on the paste
// screen — a raw request, clerk CLI lines or a JSON {headers, body} —
// is detected as one, and opens as delivery rows (WH) on their Webhook
// tab, judged as clerkscope webhook judges them.
func TestPastedDelivery(t *testing.T) {
	for _, tc := range []struct {
		name, file, expect, kind string
		rows                     int
		want                     []string
	}{
		{"raw request", "../testdata/webhooks/http/reserialized.http", "../testdata/webhooks/http/reserialized.expect.json", "webhook delivery", 1,
			[]string{"INVALID msg_2yG7rawDump0000000000007", "CAUSE (certain) the body was parsed and re-serialized [body-reserialized]", "Express"}},
		{"raw request, CR line ends (a terminal's paste)", "cr:../testdata/webhooks/http/verified.http", "../testdata/webhooks/http/verified.expect.json", "webhook delivery", 1,
			[]string{"VERIFIED msg_2yG7rawDump0000000000007", "the delivery verifies"}},
		{"raw CRLF request, each LF sent as CR", "crlf:../testdata/webhooks/http/verified.http", "../testdata/webhooks/http/verified.expect.json", "webhook delivery", 1,
			[]string{"VERIFIED msg_2yG7rawDump0000000000007", "the delivery verifies"}},
		{"clerk CLI lines", "../testdata/webhooks/cli/listen.ndjson", "../testdata/webhooks/cli/listen.expect.json", "2 webhook deliveries", 2,
			[]string{"VERIFIED msg_2yE5cliGood000000000005", "user.created of user_2xG7kQpL9wRzT4mN8vB3cD5fH1j"}},
		{"JSON delivery", "../testdata/webhooks/cases/47-webhook-headers-only.json", "../testdata/webhooks/cases/47-webhook-headers-only.json", "webhook delivery", 1,
			[]string{"INVALID", "Standard Webhooks header names (webhook-*) instead of svix-*"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, crlf := strings.CutPrefix(tc.file, "crlf:")
			file, cr := strings.CutPrefix(file, "cr:")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if crlf {
				data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r")) // the CRLF file as a terminal pastes it
			}
			if cr {
				data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r"))
			}
			cfg := testConfig(t, "")
			cfg.WebhookSecret = hookSecret(t, tc.expect)
			cfg.Now = func() time.Time { return time.Unix(1767225600, 0) }
			m := newApp(t, cfg, 120, 40)
			_, cmd := m.Update(tea.PasteMsg{Content: string(data)})
			drive(t, m, cmd)
			if string(m.paste.kind) != tc.kind {
				t.Errorf("detected %q, want %q", m.paste.kind, tc.kind)
			}
			if !strings.Contains(screen(m), "Detected: "+tc.kind) {
				t.Errorf("the paste screen does not say what it detected:\n%s", screen(m))
			}
			drive(t, m, m.submit())
			if m.state != stateCapture || len(m.cap.rows) != tc.rows || m.cap.hookCount() != tc.rows {
				t.Fatalf("state %s, %d rows, %d deliveries", m.state, len(m.cap.rows), m.cap.hookCount())
			}
			if m.cap.shownTab() != tabWebhook || m.cap.selected().badge() != "WH" {
				t.Fatalf("a pasted delivery opens on %s, badge %s", m.cap.shownTab(), m.cap.selected().badge())
			}
			flat := strings.Join(strings.Fields(ansi.Strip(m.cap.page(tabWebhook, m.cap.selected(), 100))), " ")
			for _, want := range tc.want {
				if !strings.Contains(flat, want) {
					t.Errorf("the Webhook tab lacks %q:\n%s", want, flat)
				}
			}
			if strings.Contains(screen(m), cfg.WebhookSecret) {
				t.Error("the secret is on screen")
			}
		})
	}
}
