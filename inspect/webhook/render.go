package webhook

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// Report is every delivery of one or more inputs, judged, and their story.
type Report struct {
	Judged []*Judged
	Story  *Story
	// Secret is the secret given (only ever shown masked).
	Secret string
	// Notes are input notes (an input without deliveries, the clock used).
	Notes []string
}

// NewReport judges deliveries in order and groups them.
func NewReport(ds []*Delivery, secret string, at, now time.Time) *Report {
	r := &Report{Secret: secret}
	for i, d := range ds {
		r.Judged = append(r.Judged, Judge(i, d, secret, at, now))
	}
	r.CompareInstance(App{})
	r.Story = Group(r.Judged)
	return r
}

// RenderOptions tune the output.
type RenderOptions struct {
	// Reveal shows signatures (the secret is never shown).
	Reveal bool
}

func redactHeader(h Header, o RenderOptions) Header {
	if o.Reveal {
		return Header{h.Name, RedactText(h.Value)}
	}
	switch strings.ToLower(strings.TrimSpace(h.Name)) {
	case HeaderSvixSignature, HeaderStdSignature, "x-svix-signature":
		return Header{h.Name, RedactSignature(h.Value)}
	}
	return Header{h.Name, RedactText(inspect.RedactText(h.Value))}
}

func stateText(v *Verification) string {
	switch v.State {
	case Verified:
		if v.Entries > 1 {
			return fmt.Sprintf("verified (v1 signature %d of %d matches)", v.Matched, v.Entries)
		}
		return "verified"
	case Unverified:
		return "not verified (no secret)"
	}
	return "invalid"
}

func where(d *Delivery) string {
	switch d.Source {
	case SourceHAR:
		return fmt.Sprintf("HAR entry %d", d.Index)
	case SourceCLI:
		return fmt.Sprintf("clerk CLI line %d", d.Index)
	case SourceHTTP:
		return "raw HTTP request"
	}
	return "JSON delivery"
}

// WriteText writes the report for a person.
func WriteText(w io.Writer, r *Report, o RenderOptions) error {
	var b strings.Builder
	if r.Secret != "" {
		fmt.Fprintf(&b, "secret %s\n", MaskSecret(r.Secret))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, j := range r.Judged {
		d, v := j.Delivery, j.Verdict
		fmt.Fprintf(&b, "\ndelivery %d of %d · %s", j.Position+1, len(r.Judged), where(d))
		if d.URL != "" {
			fmt.Fprintf(&b, " · %s %s", d.Method, inspect.RedactText(d.URL))
		}
		if !d.Received.IsZero() {
			fmt.Fprintf(&b, " · %s", d.Received.UTC().Format(time.RFC3339))
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "  verdict   %s\n", stateText(v))
		if v.Error != "" {
			fmt.Fprintf(&b, "  SDK       %s\n", RedactText(v.Error))
		}
		for i, dg := range j.Diagnoses {
			label := "  cause    "
			if !dg.Problem {
				label = "  reading  "
			}
			if i > 0 {
				label = "  also     "
			}
			fmt.Fprintf(&b, "%s [%s] %s\n", label, dg.Confidence, dg.Title)
			writeWrapped(&b, "            ", dg.Why)
			for _, e := range dg.Evidence {
				writeWrapped(&b, "            · ", RedactText(e))
			}
			for _, f := range dg.Fix {
				writeWrapped(&b, "            → ", f)
			}
			if dg.Docs != "" {
				fmt.Fprintf(&b, "            docs: %s\n", dg.Docs)
			}
		}
		ev := j.Event
		if ev.Type != "" || ev.InstanceID != "" {
			fmt.Fprintf(&b, "  event     %s", ev.Summary())
			if v.State != Verified {
				b.WriteString(" (read from the unverified body)")
			}
			b.WriteString("\n")
			if ev.InstanceID != "" {
				fmt.Fprintf(&b, "  instance  %s%s\n", ev.InstanceID, j.InstanceNote())
			}
			if t := ev.TimestampText(); t != "" {
				fmt.Fprintf(&b, "  payload   timestamp %s\n", t)
			}
			if len(ev.IDs) > 0 {
				var ids []string
				for _, id := range ev.IDs {
					ids = append(ids, id.Kind+" "+id.ID)
				}
				fmt.Fprintf(&b, "  ids       %s\n", strings.Join(ids, ", "))
			}
			for _, rec := range j.Records {
				fmt.Fprintf(&b, "  lookup    %s %s %s\n", rec.Kind, rec.ID, rec.State())
				if rec.Disagrees != "" {
					writeWrapped(&b, "            ! ", rec.Disagrees)
				}
			}
		}
		for _, name := range []string{HeaderSvixID, HeaderSvixTimestamp, HeaderSvixSignature} {
			if val, ok := d.Get(name); ok {
				fmt.Fprintf(&b, "  %-15s %s\n", name, redactHeader(Header{name, val}, o).Value)
			}
		}
		fmt.Fprintf(&b, "  body      %d bytes", v.Body.Bytes)
		if v.Body.BOM {
			b.WriteString(", BOM dropped by request.text()")
		}
		if v.Body.Replaced > 0 {
			fmt.Fprintf(&b, ", %d invalid UTF-8 sequence(s) read as U+FFFD", v.Body.Replaced)
		}
		b.WriteString("\n")
		if d.BodyNote != "" {
			writeWrapped(&b, "  note      ", d.BodyNote)
		}
		if rs := d.Response; rs != nil {
			fmt.Fprintf(&b, "  handler   answered %d", rs.Status)
			if d.Duration > 0 {
				fmt.Fprintf(&b, " in %s", d.Duration.Round(time.Millisecond))
			}
			if body := strings.TrimSpace(rs.Body); body != "" {
				fmt.Fprintf(&b, ": %s", clip(inspect.RedactText(RedactText(body)), 100))
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  judged at %s\n", v.JudgedAt.UTC().Format(time.RFC3339))
		for _, s := range v.Steps {
			fmt.Fprintf(&b, "  %s %-4s %s: %s\n", s.ID, s.Outcome, s.Check, RedactText(s.Found))
		}
	}
	if st := r.Story; st != nil && (len(st.Messages) < len(r.Judged) || len(st.Diagnoses) > 0) {
		b.WriteString("\nacross deliveries\n")
		for _, m := range st.Messages {
			fmt.Fprintf(&b, "  %s", m.ID)
			if m.Type != "" {
				fmt.Fprintf(&b, " (%s)", m.Type)
			}
			fmt.Fprintf(&b, ": %s\n", m.Outcome)
			for i, a := range m.Attempts {
				at := "-"
				if !a.At.IsZero() {
					at = a.At.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(&b, "    #%d %s  %s  %s, %s", i+1, at, a.Answer(), a.Verdict, a.Schedule())
				if a.Since > 0 {
					fmt.Fprintf(&b, ", %s after the previous answer", a.Since.Round(time.Second))
				}
				b.WriteString("\n")
			}
		}
		for _, dg := range st.Diagnoses {
			fmt.Fprintf(&b, "  [%s] %s\n", dg.Confidence, dg.Title)
			writeWrapped(&b, "      ", dg.Why)
			for _, f := range dg.Fix {
				writeWrapped(&b, "      → ", f)
			}
		}
	}
	_, err := io.WriteString(w, strings.TrimPrefix(b.String(), "\n"))
	return err
}

// writeWrapped writes text after prefix, wrapped at about 100 columns with
// the continuation lines indented like the first.
func writeWrapped(b *strings.Builder, prefix, text string) {
	indent := strings.Repeat(" ", len([]rune(prefix)))
	width := 100 - len([]rune(prefix))
	line := 0
	b.WriteString(prefix)
	for i, word := range strings.Fields(text) {
		n := len([]rune(word))
		if i > 0 && line+1+n > width {
			b.WriteString("\n" + indent)
			line = 0
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	b.WriteString("\n")
}

// jsonDelivery is one delivery in `webhook --json`.
type jsonDelivery struct {
	Position  int           `json:"position"`
	Source    string        `json:"source"`
	Index     int           `json:"index"`
	Method    string        `json:"method,omitempty"`
	URL       string        `json:"url,omitempty"`
	Received  *time.Time    `json:"received"`
	SvixID    string        `json:"svixId"`
	Headers   []Header      `json:"headers"`
	Verdict   *Verification `json:"verdict"`
	Event     *Event        `json:"event"`
	Diagnosis []Diagnosis   `json:"diagnosis"`
	Lookup    []Record      `json:"lookup,omitempty"`
	// App is the app's instance the event was compared with, when known.
	App      *App      `json:"appInstance,omitempty"`
	Response *Response `json:"response"`
	Duration float64   `json:"durationMs,omitempty"`
	BodyNote string    `json:"bodyNote,omitempty"`
}

// JSON is the report as `webhook --json` writes it, and the capture
// report's "webhooks": the secret masked, signatures redacted unless
// RenderOptions.Reveal, the handler's answer redacted as the text is.
type JSON struct {
	Secret     string         `json:"secret"`
	Deliveries []jsonDelivery `json:"deliveries"`
	Messages   []*Message     `json:"messages"`
	Diagnosis  []Diagnosis    `json:"diagnosis"`
	Notes      []string       `json:"notes"`
}

// WriteJSON writes the report as one JSON object (secrets redacted as in
// the text).
func WriteJSON(w io.Writer, r *Report, o RenderOptions) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewJSON(r, o))
}

// NewJSON is the report's JSON.
func NewJSON(r *Report, o RenderOptions) *JSON {
	out := &JSON{Secret: MaskSecret(r.Secret), Deliveries: []jsonDelivery{}, Messages: r.Story.Messages, Diagnosis: r.Story.Diagnoses, Notes: r.Notes}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for _, j := range r.Judged {
		d := j.Delivery
		jd := jsonDelivery{Position: j.Position, Source: d.Source, Index: d.Index, Method: d.Method, URL: inspect.RedactText(d.URL),
			SvixID: d.ID(), Verdict: j.Verdict, Event: j.Event, Diagnosis: j.Diagnoses, Lookup: j.Records, App: j.App, BodyNote: d.BodyNote, Headers: []Header{}}
		if !d.Received.IsZero() {
			t := d.Received.UTC()
			jd.Received = &t
		}
		for _, h := range d.Headers {
			jd.Headers = append(jd.Headers, redactHeader(h, o))
		}
		if d.Response != nil {
			rs := *d.Response
			rs.Body = clip(inspect.RedactText(RedactText(rs.Body)), 2000)
			var hs []Header
			for _, h := range rs.Headers {
				hs = append(hs, redactHeader(h, o))
			}
			rs.Headers = hs
			jd.Response = &rs
		}
		if d.Duration > 0 {
			jd.Duration = float64(d.Duration) / float64(time.Millisecond)
		}
		out.Deliveries = append(out.Deliveries, jd)
	}
	return out
}
