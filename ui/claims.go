package ui

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
)

func prettyJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// tokenTab is the Token tab: the session token's header and claims, its
// claims in words, times relative to the request, and its signature.
type tokenTab struct{ pager }

func newTokenTab(c *common) *tokenTab {
	t := &tokenTab{}
	t.pager = newEntryPager(c, true, t.render)
	return t
}

func (t *tokenTab) render(r *row, j *har.Judged, w int) string {
	c := t.c
	st := c.styles
	var b strings.Builder
	if !j.Judged || j.Result.Verdict.Token == nil {
		return st.Muted.Render("No session token on this request.")
	}
	v := j.Result.Verdict
	tok := v.Token
	at := j.Result.At
	src := v.TokenCarrier
	if src == "" {
		src = "handshake or refresh"
	}
	c.fieldN(&b, 11, "From", safe(src), w)
	if s := v.Signature; s != nil {
		state := string(s.State)
		switch s.State {
		case inspect.SigVerified:
			state = st.OK.Render(state)
		case inspect.SigInvalid:
			state = st.Err.Render(state)
		default:
			state = st.Warn.Render("not verified (no key)")
		}
		c.fieldN(&b, 11, "Signature", state+" · "+c.text(s.Detail), w)
	}
	for _, name := range []string{"iat", "nbf", "exp"} {
		if t, ok := tok.ClaimTime(name); ok {
			rel := relTime(name, t, at)
			c.fieldN(&b, 11, name, t.UTC().Format(time.RFC3339)+"  "+rel, w)
		}
	}
	b.WriteString("\n")
	c.claimsInWords(&b, tok, v, w)
	k := c.keys
	hint := k.Copy.Help().Key + ", then " + k.CopySub.Help().Key + " or " + k.CopySID.Help().Key + ", copies sub or sid alone."
	if orgID(r) != "" {
		hint = k.Copy.Help().Key + ", then " + k.CopySub.Help().Key + ", " + k.CopySID.Help().Key + " or " + k.CopyOrg.Help().Key + ", copies sub, sid or org_id alone."
	}
	b.WriteString(st.Muted.Render(wrap(hint, w)) + "\n")
	b.WriteString("\n" + st.Title.Render("Header") + "\n" + safe(prettyJSON(tok.Header)) + "\n\n")
	b.WriteString(st.Title.Render("Claims") + "\n" + safe(prettyJSON(tok.Payload)) + "\n\n")
	b.WriteString(st.Title.Render("Token") + "\n")
	raw := tok.Raw
	if !c.reveal {
		raw = inspect.RedactToken(raw)
	}
	b.WriteString(wrap(c.fold(safe(raw)), w) + "\n")
	if !c.reveal {
		b.WriteString(st.Muted.Render("(signature hidden: "+c.keys.Secrets.Help().Key+" shows it)") + "\n")
	}
	return b.String()
}

func relTime(name string, t, at time.Time) string {
	d := t.Sub(at).Round(time.Second)
	switch name {
	case "exp":
		if d <= 0 {
			return fmt.Sprintf("expired %s before this request", human(-d))
		}
		return fmt.Sprintf("expires %s after this request", human(d))
	case "iat":
		if d > 0 {
			return fmt.Sprintf("issued %s AFTER this request (clock skew)", human(d))
		}
		return fmt.Sprintf("issued %s before this request", human(-d))
	default:
		if d > 0 {
			return fmt.Sprintf("not valid until %s after this request", human(d))
		}
		return fmt.Sprintf("valid since %s before this request", human(-d))
	}
}

// human is a duration in words, its spaces unbreakable so that "1 min
// 11 s" never wraps apart.
func human(d time.Duration) string { return strings.ReplaceAll(inspect.Ago(d), " ", "\u00a0") }

// authBlock writes what auth() returns for the request, field by field,
// as the SDK's toAuth() builds it.
func (c *common) authBlock(b *strings.Builder, v *inspect.Verdict, at time.Time, w int) {
	st := c.styles
	b.WriteString(st.Title.Render("auth() returns") + "\n")
	a := v.Auth
	switch {
	case v.Status == inspect.Throws:
		b.WriteString(wrap("nothing: the SDK throws before auth() exists (the error is below).", w) + "\n\n")
		return
	case a == nil:
		b.WriteString(wrap("nothing yet: the SDK answers with a handshake redirect, and auth() runs on the request that comes back.", w) + "\n\n")
		return
	case !a.IsAuthenticated:
		line := "signed out: userId null, sessionId null, orgId null"
		if s := jsText(a.SessionStatus); !isNull(s) {
			line += "; sessionStatus " + s
		}
		b.WriteString(wrap(c.text(line), w) + "\n\n")
		return
	}
	c.field(b, "userId", c.text(jsText(a.UserID)), w)
	c.field(b, "sessionId", c.text(jsText(a.SessionID)), w)
	if s := jsText(a.SessionStatus); s != "undefined" {
		c.field(b, "sessionStatus", c.text(describeSTS(s)), w)
	}
	org := jsText(a.OrgID)
	if isNull(org) {
		c.field(b, "orgId", "null (no active organization)", w)
	} else {
		c.field(b, "orgId", c.text(org), w)
		c.field(b, "orgSlug", c.text(jsText(a.OrgSlug)), w)
		c.field(b, "orgRole", c.text(jsText(a.OrgRole)), w)
		c.field(b, "permissions", c.text(orNone(jsText(a.OrgPermissions))), w)
	}
	if act := jsText(a.Actor); isNull(act) {
		c.field(b, "actor", "null (not impersonated)", w)
	} else {
		c.field(b, "actor", c.text(act)+" (an impersonation session)", w)
	}
	c.field(b, "fva", c.text(inspect.DescribeFVA(a.FactorVerificationAge)), w)
	b.WriteString("\n")
}

// jsText shows a decoded JSON value (or an SDK value) as text: strings
// bare, lists comma-separated, objects as JSON.
func jsText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		return strings.Join(x, ", ")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsText(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	if strings.HasSuffix(fmt.Sprintf("%T", v), "UndefinedType") {
		return "undefined"
	}
	return fmt.Sprint(v)
}

// isNull reports JavaScript's null or undefined, as jsText writes them.
func isNull(s string) bool { return s == "null" || s == "undefined" }

// orNone is a value as jsText writes it, or "none" when it is empty, null
// or undefined: the dashboard's one spelling of an absent value.
func orNone(s string) string {
	if s == "" || isNull(s) {
		return "none"
	}
	return s
}

// describeSTS reads the session status (sts, sessionStatus).
func describeSTS(s string) string {
	switch s {
	case "active":
		return "active"
	case "pending":
		return "pending: the session has a task to finish first (such as choosing an organization); auth() treats it as signed out until then"
	case "null", "":
		return "null"
	}
	return s
}

// describeUAT reads a __client_uat value: the time of the client's last
// sign-in or sign-out, in seconds; 0 means no one is signed in.
func describeUAT(v string, at time.Time) string {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	switch {
	case err != nil:
		return "not a number: the SDK reads it as parseInt does"
	case n == 0:
		return "0: no signed-in client"
	}
	t := time.Unix(n, 0).UTC()
	d := at.Sub(t)
	rel := "before this request"
	if d < 0 {
		rel = "after this request"
	}
	return t.Format(time.RFC3339) + ", " + human(d) + " " + rel
}

// claimsInWords explains the claims a reader looks for first.
func (c *common) claimsInWords(b *strings.Builder, tok *inspect.JWT, v *inspect.Verdict, w int) {
	claims, _ := tok.Payload.(map[string]any)
	if claims == nil {
		return
	}
	st := c.styles
	b.WriteString(st.Title.Render("Claims in words") + "\n")
	say := func(name, value string) {
		if _, ok := claims[name]; ok {
			c.fieldN(b, 11, name, c.text(value), w)
		}
	}
	say("sub", jsText(claims["sub"])+" (the user)")
	say("sid", jsText(claims["sid"])+" (the session)")
	say("sts", describeSTS(jsText(claims["sts"])))
	say("azp", jsText(claims["azp"])+" (the origin the token was made for)")
	say("iss", jsText(claims["iss"])+" (the instance's Frontend API)")
	say("fva", inspect.DescribeFVA(claims["fva"]))
	if o, ok := claims["o"].(map[string]any); ok {
		c.fieldN(b, 11, "o", c.text(fmt.Sprintf("organization %s, slug %s, role %s", jsText(o["id"]), jsText(o["slg"]), jsText(o["rol"]))), w)
	} else {
		say("org_id", jsText(claims["org_id"])+" (the active organization)")
	}
	if a := v.Auth; a != nil && orNone(jsText(a.OrgPermissions)) != "none" {
		c.fieldN(b, 11, "permissions", c.text(jsText(a.OrgPermissions)), w)
	}
	say("act", jsText(claims["act"])+" (impersonated: act.sub is the impersonator)")
	say("v", jsText(claims["v"])+" (claims version)")
	b.WriteString("\n")
}

// orgID is the token's active organization, when it has one.
func orgID(r *row) string {
	v := r.verdict()
	if v == nil || v.Token == nil {
		return ""
	}
	tok := v.Token
	if id := tok.ClaimString("org_id"); id != "" {
		return id
	}
	claims, _ := tok.Payload.(map[string]any)
	if o, ok := claims["o"].(map[string]any); ok {
		if id, ok := o["id"].(string); ok {
			return id
		}
	}
	return ""
}
