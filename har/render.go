package har

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/words"
)

// RequestJSON is one element of explain --json's "requests" array. Its
// fields are documented in the README and kept stable.
type RequestJSON struct {
	Index       int                 `json:"index"`
	Method      string              `json:"method"`
	URL         string              `json:"url"`
	Time        string              `json:"time"`
	Class       string              `json:"class,omitempty"`
	Status      string              `json:"status"`
	Reason      *string             `json:"reason"`
	Message     *string             `json:"message"`
	Error       string              `json:"error,omitempty"`
	Auth        *inspect.Auth       `json:"auth"`
	Location    *string             `json:"location"`
	Headers     []inspect.Header    `json:"headers"`
	Signature   *inspect.Signature  `json:"signature"`
	CookieSet   *inspect.CookieSet  `json:"cookieSet"`
	Explanation inspect.Explanation `json:"explanation"`
	Evidence    []inspect.Step      `json:"evidence"`
	Assumptions []string            `json:"assumptions,omitempty"`
	BAPICalls   []inspect.BAPICall  `json:"bapiCalls,omitempty"`
	Logs        []string            `json:"sdkLogs,omitempty"`
	Observed    *ObservedResponse   `json:"observed,omitempty"`
	Token       *TokenJSON          `json:"token,omitempty"`
	// Clock and Counterfactual: see Result.Clock and Result.Otherwise.
	Clock          *ClockJSON              `json:"clock,omitempty"`
	Counterfactual *inspect.Counterfactual `json:"counterfactual,omitempty"`
}

// ClockJSON says at which clock a request was judged, when it was not the
// time it was sent.
type ClockJSON struct {
	JudgedAt      string  `json:"judgedAt"`
	Sent          string  `json:"sent"`
	OffsetSeconds float64 `json:"offsetSeconds"`
	From          string  `json:"from"`
}

// ObservedResponse is what the captured response itself said, next to the
// engine's verdict.
type ObservedResponse struct {
	HTTPStatus int    `json:"httpStatus"`
	AuthStatus string `json:"authStatus,omitempty"`
	AuthReason string `json:"authReason,omitempty"`
	Location   string `json:"location,omitempty"`
	// Agrees is false when the server's own x-clerk-auth-* headers say
	// something else than the engine.
	Agrees *bool `json:"agrees,omitempty"`
}

// TokenJSON summarises the session token the verdict is about.
type TokenJSON struct {
	Carrier string         `json:"carrier,omitempty"`
	Header  any            `json:"header"`
	Claims  any            `json:"claims"`
	Raw     string         `json:"raw,omitempty"`
	Times   map[string]any `json:"times,omitempty"`
}

// RenderOptions control what output reveals.
type RenderOptions struct {
	// Reveal shows token signatures and secret cookie values.
	Reveal bool
}

func strPtr(s string) *string { return &s }

// Text is s as the output shows it: whole when secrets are revealed,
// else through inspect.RedactText. It is the one redact-unless-reveal of
// every output: text, JSON, Markdown and the dashboard.
func (o RenderOptions) Text(s string) string {
	if o.Reveal {
		return s
	}
	return inspect.RedactText(s)
}

// NewRequestJSON builds the JSON object of one judged request.
func NewRequestJSON(index int, req inspect.Request, res inspect.Result, o RenderOptions) RequestJSON {
	v := res.Verdict
	out := RequestJSON{
		Index:       index,
		Method:      strings.ToUpper(orDefault(req.Method, "GET")),
		URL:         o.Text(req.URL),
		Time:        res.At.UTC().Format(time.RFC3339Nano),
		Status:      string(v.Status),
		Error:       v.Error,
		Auth:        v.Auth,
		Signature:   v.Signature,
		CookieSet:   v.CookieSet,
		Explanation: res.Explanation,
		Evidence:    v.Evidence,
		Assumptions: v.Assumptions,
		BAPICalls:   v.BAPICalls,
		Logs:        v.Logs,
	}
	if c := res.Clock; c != nil {
		out.Time = c.Sent.UTC().Format(time.RFC3339Nano)
		out.Clock = &ClockJSON{JudgedAt: res.At.UTC().Format(time.RFC3339Nano), Sent: out.Time, OffsetSeconds: c.OffsetSeconds, From: c.From}
	}
	out.Counterfactual = res.Otherwise
	if v.Status != inspect.Throws {
		if v.Reason != "" {
			out.Reason = strPtr(v.Reason)
		}
		if v.Message != "" {
			out.Message = strPtr(o.Text(v.Message))
		}
	}
	if v.Location != "" {
		out.Location = strPtr(o.Text(v.Location))
	}
	out.Headers = make([]inspect.Header, len(v.Headers))
	for i, h := range v.Headers {
		out.Headers[i] = inspect.Header{Name: h.Name, Value: o.Text(h.Value)}
	}
	if v.Token != nil {
		t := &TokenJSON{Carrier: v.TokenCarrier, Header: v.Token.Header, Claims: v.Token.Payload, Times: map[string]any{}}
		if o.Reveal {
			t.Raw = v.Token.Raw
		}
		for _, c := range []string{"iat", "nbf", "exp"} {
			if tm, ok := v.Token.ClaimTime(c); ok {
				t.Times[c] = map[string]any{"at": tm.Format(time.RFC3339), "relative": relative(tm, res.At)}
			}
		}
		out.Token = t
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// relative says when t is relative to the request: "42 s before the
// request", "in 18 s".
func relative(t, at time.Time) string {
	return words.Relative(t.Sub(at), inspect.Ago, "at the request", "the request")
}

// WriteVerdictText prints a verdict for a person: the verdict, why, what next,
// then the details and the evidence chain.
func WriteVerdictText(w io.Writer, title string, req inspect.Request, res inspect.Result, o RenderOptions) {
	v := res.Verdict
	fmt.Fprintf(w, "%s %s\n", strings.ToUpper(orDefault(req.Method, "GET")), o.Text(req.URL))
	if title != "" {
		fmt.Fprintf(w, "  %s\n", title)
	}
	badge := strings.ToUpper(string(v.Status))
	if v.Reason != "" {
		badge += "  " + v.Reason
	}
	clock := ""
	if c := res.Clock; c != nil {
		clock = ", the time it was captured: the paste carries no clock of its own"
		if c.OffsetSeconds != 0 {
			clock = fmt.Sprintf(", the server's own clock, %+.0f s off the browser's", c.OffsetSeconds)
		}
	}
	fmt.Fprintf(w, "  %s   (as @clerk/backend 3.25.0 decides at %s%s)\n", badge, res.At.UTC().Format(time.RFC3339), clock)
	if o := res.Otherwise; o != nil {
		alt := strings.ToUpper(string(o.Status))
		if o.Reason != "" {
			alt += " " + o.Reason
		}
		label := "With a correct server clock"
		if res.Clock != nil && res.Clock.OffsetSeconds == 0 {
			label = "Judged today instead"
		}
		wrapText(w, "  ", label+" ("+o.At.UTC().Format(time.RFC3339)+"): "+alt+" — "+o.Summary, 100)
	}
	fmt.Fprintln(w)
	e := res.Explanation
	fmt.Fprintf(w, "  %s\n", e.Summary)
	if e.Why != "" {
		wrapText(w, "  Why: ", e.Why, 100)
	}
	if len(e.Next) > 0 {
		fmt.Fprintln(w, "  Next:")
		for _, n := range e.Next {
			wrapText(w, "   - ", n, 100)
		}
	}
	var major []string
	for _, a := range v.Assumptions {
		if !strings.HasPrefix(a, "the app has a secret key") {
			major = append(major, a)
		}
	}
	if len(major) > 0 {
		fmt.Fprintln(w, "  Assumptions:")
		for _, a := range major {
			wrapText(w, "   - ", a, 100)
		}
	}
	fmt.Fprintln(w)
	inst := v.Instance
	if inst.Type != "" || inst.CookieSuffix != "" {
		line := fmt.Sprintf("  Instance:  %s %s", orDefault(inst.Type, "unknown"), orDefault(inst.FrontendAPI, "(Frontend API unknown)"))
		if inst.CookieSuffix != "" {
			line += ", cookie suffix " + inst.CookieSuffix
		}
		if inst.Inferred != "" {
			line += " (inferred " + strings.TrimPrefix(inst.Inferred, "from the ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	if v.CookieSet != nil {
		set := "un-suffixed"
		if v.CookieSet.Suffixed {
			set = "suffixed (_" + v.CookieSet.Suffix + ")"
		}
		fmt.Fprintf(w, "  Cookies:   the SDK reads the %s set (rule %s: %s)\n", set, v.CookieSet.Rule, v.CookieSet.Why)
	}
	if v.Token != nil {
		fmt.Fprintf(w, "  Token:     from the %s; sub %s, sid %s", orDefault(v.TokenCarrier, "response"), inspect.JSString(v.Token.Claim("sub")), inspect.JSString(v.Token.Claim("sid")))
		if exp, ok := v.Token.ClaimTime("exp"); ok {
			fmt.Fprintf(w, "; expires %s", relative(exp, res.At))
		}
		fmt.Fprintln(w)
	}
	if v.Signature != nil {
		fmt.Fprintf(w, "  Signature: %s (%s)\n", v.Signature.State, v.Signature.Detail)
	}
	if a := v.Auth; a != nil && a.IsAuthenticated {
		parts := []string{"userId " + a.GetUserID(), "sessionId " + a.GetSessionID()}
		if a.HasOrg() {
			parts = append(parts, fmt.Sprintf("org %s %s %s", a.GetOrgID(), a.GetOrgSlug(), a.GetOrgRole()))
		}
		if inspect.JSTruthy(a.OrgPermissions) {
			parts = append(parts, "permissions "+inspect.JSStringify(a.OrgPermissions))
		}
		if inspect.JSTruthy(a.Actor) {
			parts = append(parts, "actor "+inspect.JSStringify(a.Actor))
		}
		if inspect.JSTruthy(a.FactorVerificationAge) {
			parts = append(parts, fmt.Sprintf("fva %s (%s)", inspect.JSStringify(a.FactorVerificationAge), inspect.DescribeFVA(a.FactorVerificationAge)))
		}
		wrapParts(w, "  auth():    ", parts, 100)
	}
	if v.Message != "" {
		wrapText(w, "  SDK message: ", o.Text(v.Message), 100)
	}
	if v.Location != "" {
		fmt.Fprintf(w, "  Redirect:  307 to %s\n", o.Text(v.Location))
	}
	for _, h := range v.Headers {
		if h.Name == inspect.HeaderSetCookie {
			fmt.Fprintf(w, "  Set-Cookie: %s\n", o.Text(h.Value))
		}
	}
	for _, c := range v.BAPICalls {
		note := ""
		if c.Changes {
			note = " (changes state: clerkscope never calls it)"
		}
		fmt.Fprintf(w, "  Backend API: %s %s -> %s%s\n", c.Method, c.Path, c.Answered, note)
	}
	for _, l := range v.Logs {
		wrapText(w, "  SDK log: ", words.FirstLine(l), 100)
	}
	if len(v.Evidence) > 0 {
		fmt.Fprintln(w, "  Evidence:")
		for _, s := range v.Evidence {
			line := fmt.Sprintf("    %-7s %s: %s", s.ID, s.Check, o.Text(s.Found))
			if s.Outcome != "" {
				line += " → " + s.Outcome
			}
			fmt.Fprintln(w, line)
		}
	}
}

// wrapText writes text after prefix, folded at width, continuation lines
// indented under the text. Widths are counted in runes; a word longer than
// a line has a line of its own; each line ends without spaces.
func wrapText(w io.Writer, prefix, text string, width int) {
	indent := utf8.RuneCountInString(prefix)
	b := make([]byte, 0, len(prefix)+len(text)+len(text)/8+8)
	b = append(b, prefix...)
	line, n := 0, indent // where the line starts, its width so far
	for word := range strings.FieldsSeq(text) {
		wl := utf8.RuneCountInString(word)
		if n+wl+1 > width && n > indent {
			b = append(trimSpaces(b, line), '\n')
			line = len(b)
			for range indent {
				b = append(b, ' ')
			}
			n = indent
		}
		b = append(b, word...)
		b = append(b, ' ')
		n += wl + 1
	}
	b = append(trimSpaces(b, line), '\n')
	_, _ = w.Write(b)
}

// trimSpaces is b without the spaces that end it after from.
func trimSpaces(b []byte, from int) []byte {
	for len(b) > from && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// wrapParts writes a comma-separated list after prefix, breaking lines
// only between parts so that no value is cut in two.
func wrapParts(w io.Writer, prefix string, parts []string, width int) {
	indent := strings.Repeat(" ", len([]rune(prefix)))
	line := prefix
	for i, p := range parts {
		if i < len(parts)-1 {
			p += ","
		}
		switch {
		case i == 0:
			line += p
		case len([]rune(line))+1+len([]rune(p)) > width:
			fmt.Fprintln(w, line)
			line = indent + p
		default:
			line += " " + p
		}
	}
	fmt.Fprintln(w, line)
}
