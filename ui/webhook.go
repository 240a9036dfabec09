package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect/webhook"
	"github.com/clerkscope/clerkscope/internal/words"
)

// webhookTab is the Webhook tab: a webhook delivery as verifyWebhook
// judges it: the verdict, the event, the cause and its fix, the attempts
// of its message, the delivery's headers and every check.
type webhookTab struct {
	pager
	// rep is the capture's webhook report (nil: none).
	rep *webhook.Report
}

func newWebhookTab(c *common) *webhookTab {
	t := &webhookTab{}
	t.pager = newPager(c, true, t.render)
	return t
}

// setReport gives the tab the capture's webhook deliveries.
func (t *webhookTab) setReport(rep *webhook.Report) {
	t.rep = rep
	t.relayout()
}

func (t *webhookTab) render(r *row, w int) string {
	c, rep := t.c, t.rep
	st := c.styles
	jd := r.hook()
	if jd == nil {
		return st.Muted.Render("Not a webhook delivery.")
	}
	d, v, ev := jd.Delivery, jd.Verdict, jd.Event
	var b strings.Builder
	head := c.hookBadge(v)
	if id := d.ID(); id != "" {
		head += "  " + st.Value.Render(safe(id))
	}
	b.WriteString(wrap(head, w) + "\n")
	at := "as verifyWebhook (@clerk/backend 3.25.0) decides at " + v.JudgedAt.UTC().Format(time.RFC3339)
	b.WriteString(st.Muted.Render(wrap(at, w)) + "\n")
	secret := "none given (--webhook-secret or " + webhook.EnvSigningSecret + " checks the signature)"
	if rep != nil && rep.Secret != "" {
		secret = webhook.MaskSecret(rep.Secret)
	}
	b.WriteString(st.Muted.Render(wrap("secret: "+secret, w)) + "\n\n")
	if ev.Type != "" {
		sum := ev.Summary()
		if v.State != webhook.Verified {
			sum += " (read from the unverified body)"
		}
		b.WriteString(st.Heading.Render(wrap(c.text(sum), w)) + "\n\n")
	}
	if v.Error != "" {
		c.field(&b, "SDK error", c.text(webhook.RedactText(v.Error)), w)
		b.WriteString("\n")
	}
	for i, dg := range jd.Diagnoses {
		c.hookDiagnosis(&b, dg, i > 0, w)
	}
	if ev.Type != "" || ev.InstanceID != "" {
		b.WriteString(st.Title.Render("Event") + "\n")
		if ev.Type != "" {
			known := ""
			if !ev.Known {
				known = " (not one of the SDK's 45 event types)"
			}
			c.field(&b, "type", c.text(ev.Type)+known, w)
		}
		if ev.InstanceID != "" {
			c.field(&b, "instance", c.text(ev.InstanceID), w)
		}
		if t := ev.TimestampText(); t != "" {
			c.field(&b, "timestamp", c.text(t), w)
		}
		for _, id := range ev.IDs {
			c.field(&b, id.Kind, c.text(id.ID), w)
		}
		b.WriteString("\n")
	}
	c.attempts(&b, jd, rep, w)
	b.WriteString(st.Title.Render("Delivery") + "\n")
	for _, name := range []string{webhook.HeaderSvixID, webhook.HeaderSvixTimestamp, webhook.HeaderSvixSignature} {
		val, ok := d.Get(name)
		if !ok {
			c.fieldN(&b, 16, name, st.Warn.Render("missing"), w)
			continue
		}
		switch name {
		case webhook.HeaderSvixSignature:
			if !c.reveal {
				val = webhook.RedactSignature(val)
			}
		case webhook.HeaderSvixTimestamp:
			if v.TimestampRead {
				val += " (" + time.Unix(v.Timestamp, 0).UTC().Format(time.RFC3339) + ", " + skew(v.SkewSeconds) + ")"
			}
		}
		c.fieldN(&b, 16, name, c.text(webhook.RedactText(val)), w)
	}
	body := fmt.Sprintf("%d bytes", v.Body.Bytes)
	if v.Body.BOM {
		body += ", BOM dropped by request.text()"
	}
	if v.Body.Replaced > 0 {
		body += fmt.Sprintf(", %d invalid UTF-8 sequence(s) read as U+FFFD", v.Body.Replaced)
	}
	c.fieldN(&b, 16, "body", body, w)
	if d.BodyNote != "" {
		c.fieldN(&b, 16, "note", c.text(d.BodyNote), w)
	}
	if rs := d.Response; rs != nil {
		ans := fmt.Sprintf("answered %d", rs.Status)
		if d.Duration > 0 {
			ans += " in " + d.Duration.Round(time.Millisecond).String()
		}
		if t := strings.TrimSpace(rs.Body); t != "" {
			ans += ": " + clip(t, 200)
		}
		c.fieldN(&b, 16, "handler", c.text(webhook.RedactText(ans)), w)
	}
	b.WriteString("\n" + st.Title.Render("verifyWebhook, step by step") + "\n")
	for _, s := range v.Steps {
		out := s.Outcome
		switch s.Outcome {
		case "pass":
			out = st.OK.Render("pass")
		case "fail":
			out = st.Err.Render("FAIL")
		default:
			out = st.Muted.Render(out + " (not reached)")
		}
		b.WriteString(hang("• ", wrap(st.Heading.Render(sentence(s.Check))+"  "+st.Muted.Render("["+s.ID+"]")+"  "+out, w-2), "  ") + "\n")
		b.WriteString(indent(wrap(c.text(webhook.RedactText(s.Found)), w-4), "    ") + "\n")
	}
	b.WriteString("\n" + st.Title.Render("Body") + "\n")
	if c.reveal {
		b.WriteString(wrap(c.text(clip(string(d.Body), 8<<10)), w) + "\n")
	} else {
		b.WriteString(st.Muted.Render(wrap("The event's data (names, email addresses) is hidden: "+c.keys.Secrets.Help().Key+" shows it.", w)) + "\n")
	}
	return b.String()
}

// hookBadge says the verdict in words, so that it reads without colour.
func (c *common) hookBadge(v *webhook.Verification) string {
	st := c.styles
	switch v.State {
	case webhook.Verified:
		if v.Entries > 1 {
			return st.OK.Render(fmt.Sprintf("VERIFIED (v1 signature %d of %d)", v.Matched, v.Entries))
		}
		return st.OK.Render("VERIFIED")
	case webhook.Unverified:
		return st.Warn.Render("NOT VERIFIED (no secret)")
	}
	return st.Err.Render("INVALID")
}

// hookDiagnosis is one cause (or reading) with why, what was seen and the
// fix.
func (c *common) hookDiagnosis(b *strings.Builder, dg webhook.Diagnosis, also bool, w int) {
	st := c.styles
	badge := st.OK.Render("READING")
	if dg.Problem {
		badge = st.Err.Render("CAUSE")
		if also {
			badge = st.Err.Render("ALSO")
		}
	}
	head := badge + " " + st.Key.Render("("+dg.Confidence+")") + " " + st.Heading.Render(c.text(dg.Title)) + " " + st.Muted.Render("["+dg.Code+"]")
	b.WriteString(wrap(head, w))
	c.labelled(b, "Why", []string{dg.Why}, w)
	var seen []string
	for _, e := range dg.Evidence {
		seen = append(seen, webhook.RedactText(e))
	}
	c.labelled(b, "Seen", seen, w)
	c.labelled(b, "Fix", dg.Fix, w)
	if dg.Docs != "" {
		c.labelled(b, "Docs", []string{dg.Docs}, w)
	}
	b.WriteString("\n\n")
}

// attempts lists every attempt of the delivery's message against Svix's
// retry schedule, and what the deliveries say together about this one.
func (c *common) attempts(b *strings.Builder, jd *webhook.Judged, rep *webhook.Report, w int) {
	if rep == nil || rep.Story == nil {
		return
	}
	st := c.styles
	for _, msg := range rep.Story.Messages {
		if !slices.ContainsFunc(msg.Attempts, func(a webhook.Attempt) bool { return a.Position == jd.Position }) {
			continue
		}
		n := len(msg.Attempts)
		b.WriteString(st.Title.Render(fmt.Sprintf("Attempts of this message (%d)", n)) + "\n")
		b.WriteString(wrap(c.text(msg.Outcome), w) + "\n")
		for i, a := range msg.Attempts {
			mark := "  "
			if a.Position == jd.Position {
				mark = st.Cursor.Render("▶ ")
			}
			when := "time unknown"
			if !a.At.IsZero() {
				when = a.At.UTC().Format("15:04:05")
			}
			line := fmt.Sprintf("#%d %s  entry %d  %s  %s, %s", i+1, when, a.Entry, a.Answer(), a.Verdict, a.Schedule())
			if a.Since > 0 {
				line += ", " + human(a.Since) + " after the previous answer"
			}
			b.WriteString(hang(mark, wrap(c.text(line), w-2), "  ") + "\n")
		}
		b.WriteString("\n")
	}
	for _, dg := range rep.Story.Diagnoses {
		if slices.Contains(dg.Deliveries, jd.Position) {
			b.WriteString(st.Title.Render("Across deliveries") + "\n")
			c.hookDiagnosis(b, dg, false, w)
		}
	}
}

// skew says how far a timestamp is from the clock it was judged at.
func skew(s int64) string {
	return words.Relative(time.Duration(s)*time.Second, human, "equal to the server clock", "the server clock")
}

// hookDiagnoses are the webhook deliveries' causes in the shape of the
// requests' diagnoses, for the banner and the Timeline: each cause once
// with every delivery it was found on, then what the deliveries say
// together; problems first, a missing secret last among them. Entries are
// the deliveries' HAR entries.
func hookDiagnoses(rep *webhook.Report) []har.Diagnosis {
	if rep == nil {
		return nil
	}
	entries := func(positions ...int) []int {
		var out []int
		for _, p := range positions {
			if p >= 0 && p < len(rep.Judged) {
				if d := rep.Judged[p].Delivery; d.Source == webhook.SourceHAR && !slices.Contains(out, d.Index) {
					out = append(out, d.Index)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	conv := func(dg webhook.Diagnosis, es []int) har.Diagnosis {
		f := dg.Finding
		f.Title = "Webhook: " + f.Title
		return har.Diagnosis{Finding: f, Entries: es, Evidence: dg.Evidence}
	}
	var out []har.Diagnosis
	byCode := map[string]int{}
	for _, j := range rep.Judged {
		for _, dg := range j.Diagnoses {
			if !dg.Problem {
				continue
			}
			if i, ok := byCode[dg.Code]; ok {
				out[i].Entries = entries(append(append([]int(nil), positionsOf(rep, out[i].Entries)...), j.Position)...)
				continue
			}
			byCode[dg.Code] = len(out)
			out = append(out, conv(dg, entries(j.Position)))
		}
	}
	if rep.Story != nil {
		for _, dg := range rep.Story.Diagnoses {
			out = append(out, conv(dg, entries(dg.Deliveries...)))
		}
	}
	// A secret clerkscope was not given hides no fault of the
	// deliveries: what the handler's answers and the attempts show leads,
	// the missing secret follows the other problems.
	rank := func(d har.Diagnosis) int {
		r := slices.Index([]string{har.Certain, har.Likely, har.Possible}, d.Confidence)
		switch {
		case !d.Problem:
			r += 10
		case d.Code == webhook.CodeMissingSecret:
			r += 5
		}
		return r
	}
	slices.SortStableFunc(out, func(a, b har.Diagnosis) int { return rank(a) - rank(b) })
	return out
}

// positionsOf maps HAR entries back to the positions of their deliveries.
func positionsOf(rep *webhook.Report, entries []int) []int {
	var out []int
	for _, j := range rep.Judged {
		if j.Delivery.Source == webhook.SourceHAR && slices.Contains(entries, j.Delivery.Index) {
			out = append(out, j.Position)
		}
	}
	return out
}
