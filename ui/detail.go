package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
)

// bullet wraps text under a hanging "• ".
func bullet(s string, w int) string {
	lines := strings.Split(wrap(s, w-2), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = "• " + lines[i]
		} else {
			lines[i] = "  " + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// field writes "label: value" with the value wrapped under itself; a
// label longer than the usual column still gets a space after it.
func (c *common) field(b *strings.Builder, label, value string, w int) {
	c.fieldN(b, 13, label, value, w)
}

// fieldN is field with a label column of pad cells.
func (c *common) fieldN(b *strings.Builder, pad int, label, value string, w int) {
	pad = max(pad, ansi.StringWidth(label)+2)
	if stacked(value, w-pad, w-2) {
		// An id or a time that fits a line but not the value column
		// goes under its label rather than being cut.
		b.WriteString(c.styles.Key.Render(label+":") + "\n" + indent(wrap(value, w-2), "  ") + "\n")
		return
	}
	lines := strings.Split(wrap(value, w-pad), "\n")
	for i, l := range lines {
		if i == 0 {
			b.WriteString(c.styles.Key.Render(fmt.Sprintf("%-*s", pad, label+":")) + l + "\n")
		} else {
			b.WriteString(strings.Repeat(" ", pad) + l + "\n")
		}
	}
}

// stacked reports whether a word of value is too long for a column of
// width col but fits in full.
func stacked(value string, col, full int) bool {
	for _, wd := range strings.Fields(value) {
		if n := ansi.StringWidth(wd); n > col && n <= full {
			return true
		}
	}
	return false
}

func (c *common) statusBadge(v *inspect.Verdict) string {
	st := c.styles
	label := strings.ToUpper(string(v.Status))
	switch v.Status {
	case inspect.SignedIn:
		if v.Auth != nil && !v.Auth.IsAuthenticated {
			return st.Warn.Render("SIGNED-IN (PENDING)")
		}
		return st.OK.Render(label)
	case inspect.Handshake:
		return st.Info.Render(label)
	case inspect.Throws:
		return st.Err.Render("THROWS (HTTP 500)")
	}
	return st.Warn.Render(label)
}

func (c *common) fapiNote(j *har.Judged, w int) string {
	var b strings.Builder
	b.WriteString(c.styles.Muted.Render("Frontend API request: the SDK does not judge it.") + "\n\n")
	c.field(&b, "URL", c.text(j.Entry.Request.URL), w)
	c.field(&b, "HTTP", fmt.Sprint(j.Entry.Response.Status), w)
	if strings.Contains(j.Entry.Request.URL, "/v1/client/handshake") {
		b.WriteString("\n" + wrap("This is the handshake itself: the browser visits Clerk's Frontend API, which redirects back to the app with __clerk_handshake (a cookie in production, a query parameter in development).", w) + "\n")
	}
	return b.String()
}

// verdictTab is the Verdict tab: status, reason, why, next steps and the
// evidence chain.
type verdictTab struct {
	pager
	// explained is, for the entries a problem the diagnosis is sure of
	// (certain or likely) names, that diagnosis's title: where the
	// server's headers differ from the verdict, it says why (a cache
	// replayed the response, the server's clock is off…); the diagnosis
	// that the headers differ is no explanation of its own entries.
	explained map[int]string
}

// setDiagnoses takes the capture's diagnosis once it is read.
func (t *verdictTab) setDiagnoses(ds []har.Diagnosis) {
	t.explained = nil
	for _, d := range ds {
		if !d.Problem || d.Confidence == har.Possible || d.Code == har.CodeServerDisagrees {
			continue
		}
		for _, e := range d.Entries {
			if t.explained == nil {
				t.explained = map[int]string{}
			}
			if _, ok := t.explained[e]; !ok {
				t.explained[e] = d.Title
			}
		}
	}
	t.relayout()
}

func newVerdictTab(c *common) *verdictTab {
	t := &verdictTab{}
	t.pager = newEntryPager(c, true, t.render)
	return t
}

func (t *verdictTab) render(r *row, j *har.Judged, w int) string {
	c := t.c
	st := c.styles
	if !j.Judged {
		return c.fapiNote(j, w)
	}
	v := j.Result.Verdict
	e := j.Result.Explanation
	var b strings.Builder
	head := c.statusBadge(v)
	if v.Reason != "" {
		head += "  " + st.Value.Render(safe(v.Reason))
	}
	b.WriteString(wrap(head, w) + "\n")
	at := "as @clerk/backend 3.25.0 decides at " + j.Result.At.UTC().Format(time.RFC3339)
	if ck := j.Result.Clock; ck != nil {
		if ck.OffsetSeconds != 0 {
			at += fmt.Sprintf(", the server's own clock (%+.0f s off the browser's)", ck.OffsetSeconds)
		} else {
			at += ", within the token's lifetime: a paste has no clock of its own"
		}
	}
	b.WriteString(st.Muted.Render(wrap(at, w)) + "\n")
	if o := j.Result.Otherwise; o != nil {
		label := "With a correct server clock: "
		if j.Result.Clock != nil && j.Result.Clock.OffsetSeconds == 0 {
			label = "Judged today instead: "
		}
		alt := strings.ToUpper(string(o.Status))
		if o.Reason != "" {
			alt += " " + o.Reason
		}
		b.WriteString(st.Warn.Render(wrap(label+safe(alt), w)) + "\n")
	}
	b.WriteString("\n")
	b.WriteString(st.Heading.Render(wrap(c.text(e.Summary), w)) + "\n\n")
	c.authBlock(&b, v, j.Result.At, w)
	if e.Why != "" {
		b.WriteString(st.Title.Render("Why") + "\n" + wrap(c.text(e.Why), w) + "\n\n")
	}
	if len(e.Next) > 0 {
		b.WriteString(st.Title.Render("What to check next") + "\n")
		for _, n := range e.Next {
			b.WriteString(bullet(c.text(n), w) + "\n")
		}
		b.WriteString("\n")
	}
	if j.Entry != nil && (j.Observed.AuthStatus != "" || j.Observed.Agrees != nil) {
		said := j.Observed.AuthStatus
		if said == "" {
			said = string(inspect.SignedIn)
		}
		if j.Observed.AuthReason != "" {
			said += " " + j.Observed.AuthReason
		}
		mark := st.OK.Render("agrees")
		if j.Observed.Agrees != nil && !*j.Observed.Agrees {
			mark = st.Err.Render("differs from clerkscope")
			if title := t.explained[j.Entry.Index]; title != "" {
				mark += ", explained by the diagnosis: " + safe(title)
			}
		}
		c.field(&b, "Server said", safe(said)+"  "+mark, w)
	}
	if v.Location != "" {
		c.field(&b, "Redirect", "307 → "+c.text(v.Location), w)
	}
	if v.Message != "" {
		c.field(&b, "SDK message", c.text(v.Message), w)
	}
	if v.Error != "" {
		c.field(&b, "Error", c.text(strings.ReplaceAll(v.Error, "\n\n", "\n")), w)
	}
	for _, l := range v.Logs {
		c.field(&b, "SDK log", c.text(strings.SplitN(l, "\n", 2)[0]), w)
	}
	for _, call := range v.BAPICalls {
		note := ""
		if call.Changes {
			note = " (changes state: never called by clerkscope)"
		}
		c.field(&b, "Backend API", c.text(call.Method+" "+call.Path+" → "+call.Answered+note), w)
	}
	if len(v.Assumptions) > 0 {
		b.WriteString("\n" + st.Warn.Render("Assumptions") + "\n")
		for _, a := range v.Assumptions {
			b.WriteString(bullet(c.text(a), w) + "\n")
		}
	}
	b.WriteString("\n" + st.Title.Render("Evidence, step by step") + "\n")
	for _, s := range v.Evidence {
		b.WriteString(hang("• ", wrap(st.Heading.Render(c.text(sentence(s.Check)))+"  "+st.Muted.Render("["+s.ID+"]"), w-2), "  ") + "\n")
		b.WriteString(indent(wrap(c.text(s.Found), w-4), "    ") + "\n")
		if s.Outcome != "" {
			b.WriteString(indent(wrap("→ "+c.text(s.Outcome), w-4), "    ") + "\n")
		}
	}
	return b.String()
}

// sentence starts a check with a capital letter, unless its first word is
// a name (__session, svix-id).
func sentence(s string) string {
	first, _, _ := strings.Cut(s, " ")
	if first == "" || strings.IndexFunc(first, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return s // a name (svix-id, __session, iat…) keeps its case
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}

// cookiesTab is the Cookies tab: every Clerk cookie of the request, which
// set the SDK reads and why, which cookies it read (the engine's
// CookieSet.Read), and the Set-Cookie lines of the response.
type cookiesTab struct{ pager }

func newCookiesTab(c *common) *cookiesTab {
	t := &cookiesTab{}
	t.pager = newEntryPager(c, true, t.render)
	return t
}

func (t *cookiesTab) render(r *row, j *har.Judged, w int) string {
	c := t.c
	st := c.styles
	var b strings.Builder
	cookies := j.Request.Cookies()
	if j.Entry != nil && len(cookies) == 0 {
		if hdr, _ := j.Entry.CookieHeader(); hdr != "" {
			cookies = inspect.ParseCookieHeader(hdr)
		}
	}
	var cs *inspect.CookieSet
	if j.Judged {
		cs = j.Result.Verdict.CookieSet
	}
	if cs != nil {
		set := "un-suffixed"
		if cs.Suffixed {
			set = "suffixed (_" + cs.Suffix + ")"
		}
		b.WriteString(st.Title.Render("The SDK reads the "+safe(set)+" set") + "\n")
		b.WriteString(wrap(c.text("Rule "+cs.Rule+": "+cs.Why), w) + "\n\n")
	}
	b.WriteString(st.Title.Render("Request cookies") + "\n")
	any := false
	for _, ck := range cookies {
		if !clerkCookie(ck.Name) {
			continue
		}
		any = true
		note := ""
		switch {
		case ck.Shadowed:
			note = st.Muted.Render("(duplicate: the SDK reads the first)")
		case cs == nil:
		case slices.Contains(cs.Read, ck.Name):
			note = st.OK.Render("(read)")
		case cs.Suffixed && !isSuffixed(ck.Name, cs.Suffix):
			note = st.Muted.Render("(not read: suffixed set in use)")
		case !cs.Suffixed && isSuffixed(ck.Name, cs.Suffix):
			note = st.Muted.Render("(not read: un-suffixed set in use)")
		default:
			note = st.Muted.Render("(not read by the SDK)")
		}
		val := ck.Value
		if !c.reveal {
			val = inspect.RedactCookieValue(ck.Name, val)
		}
		b.WriteString(wrap(st.Key.Render(safe(ck.Name))+" "+note, w) + "\n")
		b.WriteString(indent(wrap(c.fold(safe(val)), w-2), "  ") + "\n")
		if strings.HasPrefix(ck.Name, inspect.CookieClientUAT) && j.Judged {
			b.WriteString(st.Muted.Render(indent(wrap(describeUAT(ck.Value, j.Result.At), w-2), "  ")) + "\n")
		}
		if tok, err := inspect.DecodeJWT(ck.Value); err == nil && strings.HasPrefix(ck.Name, inspect.CookieSession) {
			b.WriteString(st.Muted.Render(indent(wrap(safe(fmt.Sprintf("sub %s · sid %s · iss %s", tok.ClaimString("sub"), tok.ClaimString("sid"), tok.ClaimString("iss"))), w-2), "  ")) + "\n")
		}
	}
	if !any {
		b.WriteString(st.Muted.Render("no Clerk cookies on this request") + "\n")
	}
	if len(j.Pasted) > 0 {
		b.WriteString("\n" + st.Title.Render("Set-Cookie lines pasted") + "\n")
		for _, sc := range j.Pasted {
			b.WriteString(bullet(safe(har.SetCookieSummary(sc, har.RenderOptions{Reveal: c.reveal})), w) + "\n")
		}
	}
	var sets []string
	if j.Entry != nil {
		sets = j.Entry.SetCookies()
	}
	if len(sets) > 0 {
		b.WriteString("\n" + st.Title.Render("Set-Cookie in the response") + "\n")
		for _, l := range sets {
			b.WriteString(bullet(c.text(l), w) + "\n")
		}
	}
	if j.Judged {
		if lines := j.Result.Verdict.SetCookies(); len(lines) > 0 && j.Entry == nil {
			b.WriteString("\n" + st.Title.Render("Set-Cookie the SDK would send") + "\n")
			for _, l := range lines {
				b.WriteString(bullet(c.text(l), w) + "\n")
			}
		}
	}
	return b.String()
}

// clerkCookie reports whether the Cookies tab lists a cookie: the SDK's
// (names.go's, each with its suffixed copy) and the other cookies Clerk
// sets (__client, __clerk_*, clerk_active_context), which the SDK may not
// read but a reader looks for.
func clerkCookie(name string) bool {
	for _, p := range []string{inspect.CookieSession, inspect.CookieClientUAT, inspect.CookieRefresh, "__clerk", "__client", "clerk_active_context"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// isSuffixed reports whether a cookie's name ends in the instance's suffix:
// the engine names what it read (CookieSet.Read); this only says why a
// cookie it did not read was passed over.
func isSuffixed(name, sfx string) bool { return sfx != "" && strings.HasSuffix(name, "_"+sfx) }

// rawTab is the Raw tab: request and response headers, redacted until
// revealed.
type rawTab struct{ pager }

func newRawTab(c *common) *rawTab {
	t := &rawTab{}
	t.pager = newEntryPager(c, true, t.render)
	return t
}

func (t *rawTab) render(r *row, j *har.Judged, w int) string {
	c := t.c
	st := c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Request") + "\n")
	b.WriteString(wrap(safe(strings.ToUpper(j.Request.Method))+" "+c.text(j.Request.URL), w) + "\n")
	hdrs := j.Request.Headers
	if j.Entry != nil {
		hdrs = nil
		for _, h := range j.Entry.Request.Headers {
			hdrs = append(hdrs, inspect.Header{Name: h.Name, Value: h.Value})
		}
	}
	for _, h := range hdrs {
		b.WriteString(c.headerLine(h, w) + "\n")
	}
	if j.Entry != nil {
		b.WriteString("\n" + st.Title.Render(fmt.Sprintf("Response %d %s", j.Entry.Response.Status, safe(j.Entry.Response.StatusText))) + "\n")
		for _, h := range j.Entry.Response.Headers {
			b.WriteString(c.headerLine(inspect.Header{Name: h.Name, Value: h.Value}, w) + "\n")
		}
	} else if j.Judged {
		b.WriteString("\n" + st.Title.Render("Response headers the SDK would send") + "\n")
		for _, h := range j.Result.Verdict.Headers {
			b.WriteString(c.headerLine(h, w) + "\n")
		}
	}
	if !c.reveal {
		b.WriteString("\n" + st.Muted.Render("Secret values are redacted: "+c.keys.Secrets.Help().Key+" shows them.") + "\n")
	}
	return b.String()
}

func (c *common) headerLine(h inspect.Header, w int) string {
	val := h.Value
	if !c.reveal {
		switch strings.ToLower(h.Name) {
		case "cookie":
			var parts []string
			for _, ck := range inspect.ParseCookieHeader(val) {
				parts = append(parts, ck.Name+"="+inspect.RedactCookieValue(ck.Name, ck.Raw))
			}
			val = strings.Join(parts, "; ")
		case "authorization":
			scheme, rest, _ := strings.Cut(val, " ")
			val = scheme + " " + inspect.RedactToken(rest)
		default:
			val = inspect.RedactText(val)
		}
	}
	line := c.styles.Key.Render(safe(h.Name)+":") + " " + c.fold(safe(val))
	return wrap(line, w)
}
