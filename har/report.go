package har

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
	"github.com/clerkscope/clerkscope/internal/words"
)

// MarkdownReport writes a support-ticket report: the instance, the
// findings, a verdict table of every application request, and the decoded
// claims of every session token. Values are redacted unless o.Reveal.
type MarkdownReport struct {
	w     io.Writer
	o     RenderOptions
	name  string
	rows  bytes.Buffer
	inst  *inspect.Instance
	n     int
	first time.Time
	last  time.Time
	// details are the verdicts written out in full: the requests that are
	// not plainly signed in (at most maxDetails), or a pasted request.
	details []*Judged
	// diag and notes come from a pasted request.
	diag  []Diagnosis
	notes []string
	// hooks are the capture's webhook deliveries (AddWebhooks).
	hooks *webhook.Report
}

// AddWebhooks adds the capture's webhook deliveries, judged: the report
// lists them with their cause and the attempts of each message, their
// signatures redacted (unless o.Reveal) and the secret masked always.
func (m *MarkdownReport) AddWebhooks(r *webhook.Report) { m.hooks = r }

// AddPasted implements Sink.
func (m *MarkdownReport) AddPasted(diag []Diagnosis, notes []string) {
	m.diag = append(m.diag, diag...)
	m.notes = append(m.notes, notes...)
}

const maxDetails = 20

// NewMarkdownReport starts a report about the named capture.
func NewMarkdownReport(w io.Writer, name string, o RenderOptions) *MarkdownReport {
	return &MarkdownReport{w: w, o: o, name: name}
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

// Write adds one entry to the verdict table.
func (m *MarkdownReport) Write(j *Judged) {
	if !j.Judged {
		return
	}
	v := j.Result.Verdict
	if m.inst == nil {
		inst := v.Instance
		m.inst = &inst
	}
	if m.first.IsZero() {
		m.first = j.Result.At
	}
	m.last = j.Result.At
	idx, httpStatus, said := 0, "", ""
	if j.Entry != nil {
		idx = j.Entry.Index
		httpStatus = fmt.Sprint(j.Entry.Response.Status)
		said = j.Observed.AuthStatus
		if said == "" && j.Observed.Agrees != nil {
			said = string(inspect.SignedIn)
		}
		if j.Observed.Agrees != nil && !*j.Observed.Agrees {
			said += " ≠"
		}
	}
	user := v.Auth.GetUserID()
	if len(m.details) < maxDetails && (j.Entry == nil || v.Status != inspect.SignedIn && j.ClerkRelevant()) {
		m.details = append(m.details, j)
	}
	fmt.Fprintf(&m.rows, "| %d | %s | %s | %s | %s | %s | `%s` | %s | %s |\n", idx, j.Result.At.UTC().Format("15:04:05"),
		j.Request.Method, mdCell(m.o.Text(shortURL(j.Request.URL))), httpStatus, v.Status, mdCell(v.Reason), mdCell(said), user)
	m.n++
}

func shortURL(u string) string {
	if len(u) > 90 {
		return u[:90] + "…"
	}
	return u
}

// Close writes the whole report.
func (m *MarkdownReport) Close(story *Story, readErr error) error {
	w := bufio.NewWriter(m.w)
	fmt.Fprintf(w, "# clerkscope report: %s\n\n", m.name)
	fmt.Fprintf(w, "Verdicts as `@clerk/backend` 3.25.0 decides them. ")
	if m.o.Reveal {
		fmt.Fprintf(w, "**This report is NOT redacted: it contains live tokens. Share it privately.**\n\n")
	} else {
		fmt.Fprintf(w, "Token signatures and secret cookie values are redacted (`‹sig#hash›`: equal hashes are equal values).\n\n")
	}
	diag := m.diag
	if story != nil {
		diag = story.Diagnosis
	}
	if len(diag) > 0 {
		fmt.Fprintf(w, "## Diagnosis\n\n")
		for i, d := range diag {
			kind := "Cause"
			if !d.Problem {
				kind = "What happened"
			}
			fmt.Fprintf(w, "%d. **%s (%s): %s** `%s`\n", i+1, kind, d.Confidence, mdCell(m.o.Text(d.Title)), d.Code)
			fmt.Fprintf(w, "   - Why: %s\n", mdCell(m.o.Text(d.Why)))
			for _, ev := range d.Evidence {
				fmt.Fprintf(w, "   - Seen: %s\n", mdCell(m.o.Text(ev)))
			}
			for _, fx := range d.Fix {
				fmt.Fprintf(w, "   - Fix: %s\n", mdCell(fx))
			}
			if d.Docs != "" {
				fmt.Fprintf(w, "   - Docs: %s\n", d.Docs)
			}
			if len(d.Entries) > 0 {
				fmt.Fprintf(w, "   - %s %s\n", plural(len(d.Entries), "Entry", "Entries"), joinInts(d.Entries))
			}
		}
		fmt.Fprintln(w)
	}
	if len(m.notes) > 0 {
		fmt.Fprintf(w, "## Input notes\n\n")
		for _, n := range m.notes {
			fmt.Fprintf(w, "- %s\n", mdCell(m.o.Text(n)))
		}
		fmt.Fprintln(w)
	}
	if m.inst != nil {
		fmt.Fprintf(w, "## Instance\n\n- Type: %s\n- Frontend API: %s\n- Cookie suffix: %s\n", words.Or(m.inst.Type, "-"), words.Or(m.inst.FrontendAPI, "-"), words.Or(m.inst.CookieSuffix, "-"))
		if m.inst.Inferred != "" {
			fmt.Fprintf(w, "- Inferred %s\n", m.inst.Inferred)
		}
		if m.inst.PublishableKey != "" {
			fmt.Fprintf(w, "- Publishable key: `%s`\n", m.inst.PublishableKey)
		}
		fmt.Fprintln(w)
	}
	if story != nil {
		c := story.Counts
		fmt.Fprintf(w, "## Summary\n\n%d %s between %s and %s: %d to the application (%d signed in, %d signed out, %d %s", c.Entries, plural(c.Entries, "entry", "entries"),
			m.first.UTC().Format(time.RFC3339), m.last.UTC().Format(time.RFC3339), c.App, c.SignedIn, c.SignedOut, c.Handshake, plural(c.Handshake, "handshake", "handshakes"))
		if c.Throws > 0 {
			fmt.Fprintf(w, ", %d %s", c.Throws, plural(c.Throws, "configuration error", "configuration errors"))
		}
		fmt.Fprintf(w, "), %d to the Frontend API.", c.FAPI)
		if story.Log.Creator != "" {
			fmt.Fprintf(w, " Exported by %s %s.", story.Log.Creator, story.Log.Browser)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w)
		fmt.Fprintf(w, "## Findings\n\n")
		if len(story.Findings) == 0 {
			fmt.Fprintln(w, "Nothing notable.")
		}
		for _, f := range story.Findings {
			fmt.Fprintf(w, "- **%s: %s**", strings.ToUpper(f.Severity), mdCell(f.Title))
			if len(f.Entries) > 0 {
				fmt.Fprintf(w, " (%s %s)", plural(len(f.Entries), "entry", "entries"), joinInts(f.Entries))
			}
			fmt.Fprintf(w, "\n  %s\n", mdCell(m.o.Text(f.Detail)))
			if f.Next != "" {
				fmt.Fprintf(w, "  Next: %s\n", mdCell(f.Next))
			}
		}
		fmt.Fprintln(w)
	}
	m.writeWebhooks(w)
	fmt.Fprintf(w, "## Requests\n\n| # | time | method | URL | HTTP | verdict | reason | server said | user |\n|---|---|---|---|---|---|---|---|---|\n")
	w.Write(m.rows.Bytes())
	fmt.Fprintln(w)
	if len(m.details) > 0 {
		fmt.Fprintf(w, "## Verdicts in detail\n\n")
		for _, j := range m.details {
			v := j.Result.Verdict
			e := j.Result.Explanation
			idx := "pasted request"
			if j.Entry != nil {
				idx = fmt.Sprintf("entry %d", j.Entry.Index)
			}
			fmt.Fprintf(w, "### %s: %s %s\n\n**%s** `%s` — %s\n\n", idx, j.Request.Method, mdCell(m.o.Text(shortURL(j.Request.URL))), v.Status, v.Reason, mdCell(e.Summary))
			if e.Why != "" {
				fmt.Fprintf(w, "%s\n\n", m.o.Text(e.Why))
			}
			for _, n := range e.Next {
				fmt.Fprintf(w, "- %s\n", m.o.Text(n))
			}
			if len(e.Next) > 0 {
				fmt.Fprintln(w)
			}
			if v.Message != "" {
				fmt.Fprintf(w, "SDK message: `%s`\n\n", m.o.Text(v.Message))
			}
			for _, a := range v.Assumptions {
				if !strings.HasPrefix(a, "the app has a secret key") {
					fmt.Fprintf(w, "- Assumption: %s\n", a)
				}
			}
			fmt.Fprintf(w, "\n<details><summary>Evidence</summary>\n\n")
			for _, st := range v.Evidence {
				line := fmt.Sprintf("- `%s` %s: %s", st.ID, st.Check, m.o.Text(st.Found))
				if st.Outcome != "" {
					line += " → " + st.Outcome
				}
				fmt.Fprintln(w, mdCell(line))
			}
			fmt.Fprintf(w, "\n</details>\n\n")
		}
	}
	if story != nil && len(story.Tokens) > 0 {
		fmt.Fprintf(w, "## Session tokens\n\n")
		for _, t := range story.Tokens {
			fmt.Fprintf(w, "### Entry %d: %s (%s), `#%s`\n\n", t.Entry, t.Cookie, t.Source, t.Hash)
			if t.Claims != nil {
				b, _ := json.MarshalIndent(map[string]any{"header": t.Header, "claims": t.Claims}, "", "  ")
				fmt.Fprintf(w, "```json\n%s\n```\n\n", b)
			}
		}
	}
	if readErr != nil {
		fmt.Fprintf(w, "## Reading problem\n\n%s\n", readErr)
	}
	return w.Flush()
}

// writeWebhooks writes the webhook deliveries: a table, each failing
// delivery's cause and fix, and what the deliveries say together.
func (m *MarkdownReport) writeWebhooks(w io.Writer) {
	r := m.hooks
	if r == nil || len(r.Judged) == 0 {
		return
	}
	text := func(s string) string { return mdCell(m.o.Text(webhook.RedactText(s))) }
	fmt.Fprintf(w, "## Webhook deliveries\n\nJudged as `verifyWebhook` (`@clerk/backend` 3.25.0) judges them, ")
	if r.Secret != "" {
		fmt.Fprintf(w, "with the secret `%s`.", webhook.MaskSecret(r.Secret))
	} else {
		fmt.Fprintf(w, "without a secret (`--webhook-secret` or `%s`): signatures not checked.", webhook.EnvSigningSecret)
	}
	if !m.o.Reveal {
		fmt.Fprintf(w, " Signatures are redacted (`v1,‹sig#hash›`).")
	}
	fmt.Fprintf(w, "\n\n| # | entry | time | svix-id | event | verdict | handler | cause |\n|---|---|---|---|---|---|---|---|\n")
	for _, j := range r.Judged {
		entry, when, handler := "-", "-", "-"
		if j.Delivery.Source == webhook.SourceHAR {
			entry = fmt.Sprint(j.Delivery.Index)
		}
		if t := j.When(); !t.IsZero() {
			when = t.UTC().Format("15:04:05")
		}
		if rs := j.Delivery.Response; rs != nil {
			handler = fmt.Sprint(rs.Status)
		}
		cause := "-"
		for _, dg := range j.Diagnoses {
			if dg.Problem {
				cause = "`" + dg.Code + "`"
				break
			}
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", j.Position+1, entry, when, text(j.Delivery.ID()), text(j.Event.Type), j.Verdict.State, handler, cause)
	}
	fmt.Fprintln(w)
	shown := 0
	for _, j := range r.Judged {
		if shown >= maxDetails || j.Verdict.State == webhook.Verified && !hasProblem(j.Diagnoses) {
			continue
		}
		shown++
		d, v := j.Delivery, j.Verdict
		fmt.Fprintf(w, "### Delivery %d: %s %s\n\n", j.Position+1, text(d.ID()), text(j.Event.Summary()))
		fmt.Fprintf(w, "- Verdict: %s", v.State)
		if v.Error != "" {
			fmt.Fprintf(w, ": `%s`", text(v.Error))
		}
		fmt.Fprintln(w)
		for _, name := range []string{webhook.HeaderSvixTimestamp, webhook.HeaderSvixSignature} {
			if val, ok := d.Get(name); ok {
				if name == webhook.HeaderSvixSignature && !m.o.Reveal {
					val = webhook.RedactSignature(val)
				}
				fmt.Fprintf(w, "- %s: `%s`\n", name, text(val))
			}
		}
		if rs := d.Response; rs != nil {
			fmt.Fprintf(w, "- Handler answered %d", rs.Status)
			if body := strings.TrimSpace(rs.Body); body != "" {
				fmt.Fprintf(w, ": %s", text(shortURL(body)))
			}
			fmt.Fprintln(w)
		}
		for _, dg := range j.Diagnoses {
			writeHookDiagnosis(w, dg, text)
		}
		for _, rec := range j.Records {
			fmt.Fprintf(w, "- Backend API: %s %s %s\n", rec.Kind, text(rec.ID), text(rec.State()))
			if rec.Disagrees != "" {
				fmt.Fprintf(w, "  - Disagrees: %s\n", text(rec.Disagrees))
			}
		}
		fmt.Fprintln(w)
	}
	if st := r.Story; st != nil && (len(st.Messages) < len(r.Judged) || len(st.Diagnoses) > 0) {
		fmt.Fprintf(w, "### Across deliveries\n\n")
		for _, msg := range st.Messages {
			fmt.Fprintf(w, "- `%s`", text(msg.ID))
			if msg.Type != "" {
				fmt.Fprintf(w, " (%s)", text(msg.Type))
			}
			fmt.Fprintf(w, ": %s\n", text(msg.Outcome))
			for i, a := range msg.Attempts {
				at := "-"
				if !a.At.IsZero() {
					at = a.At.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "  - #%d %s: %s, %s, %s\n", i+1, at, a.Answer(), a.Verdict, a.Schedule())
			}
		}
		for _, dg := range st.Diagnoses {
			writeHookDiagnosis(w, dg, text)
		}
		fmt.Fprintln(w)
	}
}

func hasProblem(ds []webhook.Diagnosis) bool {
	for _, d := range ds {
		if d.Problem {
			return true
		}
	}
	return false
}

func writeHookDiagnosis(w io.Writer, dg webhook.Diagnosis, text func(string) string) {
	kind := "Cause"
	if !dg.Problem {
		kind = "Reading"
	}
	fmt.Fprintf(w, "- **%s (%s): %s** `%s`\n", kind, dg.Confidence, text(dg.Title), dg.Code)
	fmt.Fprintf(w, "  - Why: %s\n", text(dg.Why))
	for _, e := range dg.Evidence {
		fmt.Fprintf(w, "  - Seen: %s\n", text(e))
	}
	for _, f := range dg.Fix {
		fmt.Fprintf(w, "  - Fix: %s\n", text(f))
	}
	if dg.Docs != "" {
		fmt.Fprintf(w, "  - Docs: %s\n", dg.Docs)
	}
}
