package har

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/jsonvalue"
)

// explain --json writes one object per request, tens of thousands of
// times for a capture, and encoding/json's reflection was most of the
// time it took. jsonEncoder.judged writes, straight from a judged entry,
// the bytes json.Marshal writes for the RequestJSON NewRequestJSON makes
// of it (plus its lookup) — the fields in their order, the same escapes
// (HTML characters, U+2028 and U+2029, invalid UTF-8 as U+FFFD), numbers
// as ECMAScript prints them, map keys sorted — into one buffer, escaped
// for a terminal as the JSON sanitizer escapes them (DEL, C1 and bidi
// controls as \u escapes: inspect.AppendJSONEscaped), so that they need no
// second scan.
//
// What the requests of a capture share is encoded once: the verdict's
// part of the object (status to sdkLogs: most requests of a capture get
// one of a few verdicts), a token's header, claims and claim times (every
// request that sends the token), and the phrases of the times relative to
// the request. Each is kept with what it was made of, compared again
// before the bytes are reused, and bounded.
//
// Tests compare the encoder with json.Marshal of NewRequestJSON, escaped
// by inspect.AppendJSONEscaped, on every
// capture in testdata, on a bighar file and on random entries filled at
// every field (so a field added to these types and not here fails them),
// and compare reused bytes with a fresh encoding after every field of a
// verdict is changed alone (so a field the reuse does not compare fails).

// jsonEncoder appends judged requests as JSON, remembering the encoded
// parts it last wrote.
type jsonEncoder struct {
	// bodies are the verdict parts last encoded, the last used first.
	bodies []*bodyPart
	tokens map[*inspect.JWT]*tokenParts
	rel    map[relKey][]byte
}

// Bounds on what the encoder keeps.
const (
	bodiesKept     = 16
	tokenPartsKept = 64
	relKept        = 256
)

// judged appends the object of one judged request; lookup, when not nil,
// is its "lookup" member. o must be what the output was asked for: the
// parts reused are those encoded with the same o.
func (e *jsonEncoder) judged(b []byte, j *Judged, lookup any, o RenderOptions) ([]byte, error) {
	res := &j.Result
	v := res.Verdict
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, int64(indexOf(j)), 10)
	b = append(b, `,"method":`...)
	b = appendString(b, strings.ToUpper(orDefault(j.Request.Method, "GET")))
	b = append(b, `,"url":`...)
	b = appendString(b, o.Text(j.Request.URL))
	b = append(b, `,"time":`...)
	if c := res.Clock; c != nil {
		b = appendTimeNano(b, c.Sent)
	} else {
		b = appendTimeNano(b, res.At)
	}
	if j.Class != "" {
		b = append(b, `,"class":`...)
		b = appendString(b, string(j.Class))
	}
	b, err := e.body(b, res, o)
	if err != nil {
		return b, err
	}
	if j.Entry != nil {
		b = appendObserved(b, &j.Observed, o)
	}
	if v.Token != nil {
		if b, err = e.token(b, v, res.At, o); err != nil {
			return b, err
		}
	}
	if c := res.Clock; c != nil {
		b = append(b, `,"clock":{"judgedAt":`...)
		b = appendTimeNano(b, res.At)
		b = append(b, `,"sent":`...)
		b = appendTimeNano(b, c.Sent)
		b = append(b, `,"offsetSeconds":`...)
		if b, err = appendFloat(b, c.OffsetSeconds); err != nil {
			return b, err
		}
		b = append(b, `,"from":`...)
		b = appendString(b, c.From)
		b = append(b, '}')
	}
	if c := res.Otherwise; c != nil {
		b = append(b, `,"counterfactual":{"at":`...)
		if b, err = appendTime(b, c.At); err != nil {
			return b, err
		}
		b = append(b, `,"status":`...)
		b = appendString(b, string(c.Status))
		if c.Reason != "" {
			b = append(b, `,"reason":`...)
			b = appendString(b, c.Reason)
		}
		b = append(b, `,"summary":`...)
		b = appendString(b, c.Summary)
		b = append(b, '}')
	}
	if lookup != nil {
		b = append(b, `,"lookup":`...)
		if b, err = appendAny(b, lookup); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendTimeNano appends t as NewRequestJSON writes a request's times:
// UTC, RFC 3339 with nanoseconds, a JSON string. The text is digits and
// "-:.TZ", which encoding/json writes as they are.
func appendTimeNano(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendObserved(b []byte, obs *ObservedResponse, o RenderOptions) []byte {
	b = append(b, `,"observed":{"httpStatus":`...)
	b = strconv.AppendInt(b, int64(obs.HTTPStatus), 10)
	if obs.AuthStatus != "" {
		b = append(b, `,"authStatus":`...)
		b = appendString(b, obs.AuthStatus)
	}
	if obs.AuthReason != "" {
		b = append(b, `,"authReason":`...)
		b = appendString(b, obs.AuthReason)
	}
	if loc := o.Text(obs.Location); loc != "" {
		b = append(b, `,"location":`...)
		b = appendString(b, loc)
	}
	if obs.Agrees != nil {
		b = append(b, `,"agrees":`...)
		b = strconv.AppendBool(b, *obs.Agrees)
	}
	return append(b, '}')
}

// bodyPart is a verdict's part of the request object, encoded, with the
// values it was encoded from.
type bodyPart struct {
	reveal bool
	of     bodyOf
	json   []byte
}

// body appends the members from "status" to "sdkLogs": what the verdict
// and its explanation say, the same for every request judged alike. The
// bytes of a part encoded before are reused when its values are equal and
// it was encoded for the same RenderOptions (a part encoded with revealed
// values is never written into a redacted output, nor the other way).
func (e *jsonEncoder) body(b []byte, res *inspect.Result, o RenderOptions) ([]byte, error) {
	v, x := res.Verdict, &res.Explanation
	for i, p := range e.bodies {
		if p.reveal == o.Reveal && p.of.equal(v, x) {
			if i > 0 {
				copy(e.bodies[1:i+1], e.bodies[:i])
				e.bodies[0] = p
			}
			return append(b, p.json...), nil
		}
	}
	at := len(b)
	b, err := appendBody(b, v, x, o)
	if err != nil {
		return b, err
	}
	of, ok := bodyOfVerdict(v, x)
	if !ok {
		return b, nil
	}
	p := &bodyPart{reveal: o.Reveal, of: of, json: slices.Clone(b[at:])}
	if len(e.bodies) < bodiesKept {
		e.bodies = append(e.bodies, nil)
	}
	copy(e.bodies[1:], e.bodies)
	e.bodies[0] = p
	return b, nil
}

// appendBody encodes the members from "status" to "sdkLogs" of
// NewRequestJSON's object.
func appendBody(b []byte, v *inspect.Verdict, x *inspect.Explanation, o RenderOptions) ([]byte, error) {
	b = append(b, `,"status":`...)
	b = appendString(b, string(v.Status))
	b = append(b, `,"reason":`...)
	if v.Status != inspect.Throws && v.Reason != "" {
		b = appendString(b, v.Reason)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"message":`...)
	if v.Status != inspect.Throws && v.Message != "" {
		b = appendString(b, o.Text(v.Message))
	} else {
		b = append(b, "null"...)
	}
	if v.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, v.Error)
	}
	b = append(b, `,"auth":`...)
	b, err := appendAuth(b, v.Auth)
	if err != nil {
		return b, err
	}
	b = append(b, `,"location":`...)
	if v.Location != "" {
		b = appendString(b, o.Text(v.Location))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"headers":[`...)
	for i, h := range v.Headers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendString(b, h.Name)
		b = append(b, `,"value":`...)
		b = appendString(b, o.Text(h.Value))
		b = append(b, '}')
	}
	b = append(b, `],"signature":`...)
	b = appendSignature(b, v.Signature)
	b = append(b, `,"cookieSet":`...)
	b = appendCookieSet(b, v.CookieSet)
	b = append(b, `,"explanation":{"summary":`...)
	b = appendString(b, x.Summary)
	b = append(b, `,"why":`...)
	b = appendString(b, x.Why)
	b = append(b, `,"next":`...)
	b = appendStrings(b, x.Next)
	b = append(b, `},"evidence":`...)
	if v.Evidence == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, s := range v.Evidence {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendString(b, s.ID)
			b = append(b, `,"check":`...)
			b = appendString(b, s.Check)
			b = append(b, `,"found":`...)
			b = appendString(b, s.Found)
			if s.Outcome != "" {
				b = append(b, `,"outcome":`...)
				b = appendString(b, s.Outcome)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(v.Assumptions) > 0 {
		b = append(b, `,"assumptions":`...)
		b = appendStrings(b, v.Assumptions)
	}
	if len(v.BAPICalls) > 0 {
		b = append(b, `,"bapiCalls":[`...)
		for i, c := range v.BAPICalls {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"method":`...)
			b = appendString(b, c.Method)
			b = append(b, `,"path":`...)
			b = appendString(b, c.Path)
			if c.Query != "" {
				b = append(b, `,"query":`...)
				b = appendString(b, c.Query)
			}
			b = append(b, `,"answered":`...)
			b = appendString(b, c.Answered)
			if c.Changes {
				b = append(b, `,"changesState":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(v.Logs) > 0 {
		b = append(b, `,"sdkLogs":`...)
		b = appendStrings(b, v.Logs)
	}
	return b, nil
}

// bodyOf is what appendBody reads of a verdict and its explanation,
// copied, so that the bytes kept are reused only for equal values even if
// the values they were made of changed later.
type bodyOf struct {
	status                         inspect.Status
	reason, message, err, location string
	auth                           *authOf
	headers                        []inspect.Header
	signature                      *inspect.Signature
	cookieSet                      *inspect.CookieSet
	summary, why                   string
	next                           []string
	evidence                       []inspect.Step
	assumptions, logs              []string
	bapiCalls                      []inspect.BAPICall
}

// authOf is what appendAuth reads of an Auth.
type authOf struct {
	isAuthenticated bool
	values          [authValueCount]any
	features, plans []string
}

const authValueCount = 16

// authValues are an Auth's JSON values, in a fixed order.
func authValues(a *inspect.Auth) [authValueCount]any {
	return [...]any{a.TokenType, a.UserID, a.SessionID, a.SessionStatus, a.OrgID, a.OrgRole, a.OrgSlug,
		a.OrgPermissions, a.Actor, a.FactorVerificationAge, a.ID, a.Subject, a.Scopes, a.Name, a.MachineID, a.ClientID}
}

// bodyOfVerdict copies what appendBody reads; false when a value is not
// one of the kinds decoded JSON has (it is encoded each time, not kept).
func bodyOfVerdict(v *inspect.Verdict, x *inspect.Explanation) (bodyOf, bool) {
	p := bodyOf{
		status: v.Status, reason: v.Reason, message: v.Message, err: v.Error, location: v.Location,
		headers: slices.Clone(v.Headers), summary: x.Summary, why: x.Why, next: slices.Clone(x.Next),
		evidence: slices.Clone(v.Evidence), assumptions: slices.Clone(v.Assumptions), logs: slices.Clone(v.Logs),
		bapiCalls: slices.Clone(v.BAPICalls),
	}
	if a := v.Auth; a != nil {
		p.auth = &authOf{isAuthenticated: a.IsAuthenticated, features: slices.Clone(a.Features), plans: slices.Clone(a.Plans)}
		for i, val := range authValues(a) {
			c, ok := jsonvalue.Copy(val)
			if !ok {
				return bodyOf{}, false
			}
			p.auth.values[i] = c
		}
	}
	if s := v.Signature; s != nil {
		c := *s
		p.signature = &c
	}
	if c := v.CookieSet; c != nil {
		p.cookieSet = &inspect.CookieSet{Suffixed: c.Suffixed, Suffix: c.Suffix, Rule: c.Rule, Why: c.Why}
	}
	return p, true
}

// equal reports whether appendBody writes for v and x what it wrote for
// the values p holds (with the same RenderOptions).
func (p *bodyOf) equal(v *inspect.Verdict, x *inspect.Explanation) bool {
	return p.status == v.Status && p.reason == v.Reason && p.message == v.Message && p.summary == x.Summary &&
		p.err == v.Error && p.location == v.Location && p.why == x.Why &&
		slices.Equal(p.headers, v.Headers) && stringsSame(p.next, x.Next) &&
		(p.evidence == nil) == (v.Evidence == nil) && slices.Equal(p.evidence, v.Evidence) &&
		slices.Equal(p.assumptions, v.Assumptions) && slices.Equal(p.logs, v.Logs) &&
		slices.Equal(p.bapiCalls, v.BAPICalls) && p.auth.equal(v.Auth) &&
		(p.signature == nil) == (v.Signature == nil) && (p.signature == nil || *p.signature == *v.Signature) &&
		cookieSetEqual(p.cookieSet, v.CookieSet)
}

func (p *authOf) equal(a *inspect.Auth) bool {
	if p == nil || a == nil {
		return p == nil && a == nil
	}
	if p.isAuthenticated != a.IsAuthenticated || !slices.Equal(p.features, a.Features) || !slices.Equal(p.plans, a.Plans) {
		return false
	}
	for i, val := range authValues(a) {
		if !jsonvalue.Equal(p.values[i], val) {
			return false
		}
	}
	return true
}

// cookieSetEqual compares what appendCookieSet writes (Read is not).
func cookieSetEqual(p, c *inspect.CookieSet) bool {
	if p == nil || c == nil {
		return p == nil && c == nil
	}
	return p.Suffixed == c.Suffixed && p.Suffix == c.Suffix && p.Rule == c.Rule && p.Why == c.Why
}

// stringsSame is slices.Equal telling nil from empty (null from []).
func stringsSame(a, b []string) bool { return (a == nil) == (b == nil) && slices.Equal(a, b) }

// tokenParts is what the "token" member of every request sending one
// token shares: its header and claims encoded, and its claim times.
type tokenParts struct {
	header, claims []byte
	// times are the claims "times" has, in the order encoding/json
	// sorts its keys.
	times []claimTime
}

// claimTime is a claim's time and the start of its "times" member,
// `"exp":{"at":"…","relative":`.
type claimTime struct {
	at     time.Time
	prefix []byte
}

// token appends the "token" member: its header and claims encoded once
// per token (tokens are shared and never changed once decoded), the
// times relative to the request's time at.
func (e *jsonEncoder) token(b []byte, v *inspect.Verdict, at time.Time, o RenderOptions) ([]byte, error) {
	t := v.Token
	p := e.tokens[t]
	if p == nil {
		var err error
		if p, err = newTokenParts(t); err != nil {
			return b, err
		}
		if e.tokens == nil || len(e.tokens) >= tokenPartsKept {
			e.tokens = make(map[*inspect.JWT]*tokenParts, tokenPartsKept)
		}
		e.tokens[t] = p
	}
	b = append(b, `,"token":{`...)
	if v.TokenCarrier != "" {
		b = append(b, `"carrier":`...)
		b = appendString(b, v.TokenCarrier)
		b = append(b, ',')
	}
	b = append(b, `"header":`...)
	b = append(b, p.header...)
	b = append(b, `,"claims":`...)
	b = append(b, p.claims...)
	if o.Reveal && t.Raw != "" {
		b = append(b, `,"raw":`...)
		b = appendString(b, t.Raw)
	}
	if len(p.times) > 0 {
		b = append(b, `,"times":{`...)
		for i, c := range p.times {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, c.prefix...)
			b = e.relative(b, c.at, at)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func newTokenParts(t *inspect.JWT) (*tokenParts, error) {
	p := &tokenParts{}
	var err error
	if p.header, err = appendAny(nil, t.Header); err != nil {
		return nil, err
	}
	if p.claims, err = appendAny(nil, t.Payload); err != nil {
		return nil, err
	}
	for _, c := range [...]string{"exp", "iat", "nbf"} {
		if tm, ok := t.ClaimTime(c); ok {
			pre := appendString(nil, c)
			pre = append(pre, `:{"at":`...)
			pre = appendString(pre, tm.Format(time.RFC3339))
			pre = append(pre, `,"relative":`...)
			p.times = append(p.times, claimTime{at: tm, prefix: pre})
		}
	}
	return p, nil
}

// relKey is what the phrase relative writes depends on: whether t is
// before, at or after the request, and the distance rounded to the second
// (inspect.Ago writes it rounded; rounding is symmetric about 0).
type relKey struct {
	side int
	d    time.Duration
}

// relKeptBelow bounds the distances whose phrases are kept: far beyond any
// token's life, short of where negating or rounding one overflows.
const relKeptBelow = 100 * 365 * 24 * time.Hour

// relative appends relative(t, at) as a JSON string; the phrases are kept
// by relKey, so that a capture's requests, a few every second, share them.
func (e *jsonEncoder) relative(b []byte, t, at time.Time) []byte {
	d := t.Sub(at)
	if d <= -relKeptBelow || d >= relKeptBelow {
		return appendString(b, relative(t, at))
	}
	k := relKey{side: cmp.Compare(d, 0), d: d.Round(time.Second)}
	s, ok := e.rel[k]
	if !ok {
		s = appendString(nil, relative(t, at))
		if e.rel == nil || len(e.rel) >= relKept {
			e.rel = make(map[relKey][]byte, relKept)
		}
		e.rel[k] = s
	}
	return append(b, s...)
}

func appendAuth(b []byte, a *inspect.Auth) ([]byte, error) {
	if a == nil {
		return append(b, "null"...), nil
	}
	b = append(b, `{"isAuthenticated":`...)
	b = strconv.AppendBool(b, a.IsAuthenticated)
	var err error
	for _, f := range [...]struct {
		name string
		v    any
	}{
		{`,"tokenType":`, a.TokenType}, {`,"userId":`, a.UserID}, {`,"sessionId":`, a.SessionID},
		{`,"sessionStatus":`, a.SessionStatus}, {`,"orgId":`, a.OrgID}, {`,"orgRole":`, a.OrgRole},
		{`,"orgSlug":`, a.OrgSlug}, {`,"orgPermissions":`, a.OrgPermissions}, {`,"actor":`, a.Actor},
		{`,"factorVerificationAge":`, a.FactorVerificationAge},
	} {
		b = append(b, f.name...)
		if b, err = appendAny(b, f.v); err != nil {
			return b, err
		}
	}
	if len(a.Features) > 0 {
		b = append(b, `,"features":`...)
		b = appendStrings(b, a.Features)
	}
	if len(a.Plans) > 0 {
		b = append(b, `,"plans":`...)
		b = appendStrings(b, a.Plans)
	}
	for _, f := range [...]struct {
		name string
		v    any
	}{
		{`,"id":`, a.ID}, {`,"subject":`, a.Subject}, {`,"scopes":`, a.Scopes}, {`,"name":`, a.Name},
		{`,"machineId":`, a.MachineID}, {`,"clientId":`, a.ClientID},
	} {
		if f.v == nil {
			continue
		}
		b = append(b, f.name...)
		if b, err = appendAny(b, f.v); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendSignature(b []byte, s *inspect.Signature) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"state":`...)
	b = appendString(b, string(s.State))
	b = append(b, `,"detail":`...)
	b = appendString(b, s.Detail)
	for _, f := range [...]struct{ name, v string }{{`,"kid":`, s.KID}, {`,"alg":`, s.Alg}, {`,"key":`, s.Key}} {
		if f.v != "" {
			b = append(b, f.name...)
			b = appendString(b, f.v)
		}
	}
	return append(b, '}')
}

func appendCookieSet(b []byte, c *inspect.CookieSet) []byte {
	if c == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"suffixed":`...)
	b = strconv.AppendBool(b, c.Suffixed)
	if c.Suffix != "" {
		b = append(b, `,"suffix":`...)
		b = appendString(b, c.Suffix)
	}
	b = append(b, `,"rule":`...)
	b = appendString(b, c.Rule)
	b = append(b, `,"why":`...)
	b = appendString(b, c.Why)
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendAny appends a value decoded from JSON (nil, bool, float64,
// string, []any, map[string]any) or built of the same kinds, as
// json.Marshal does; anything else goes through json.Marshal.
func appendAny(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		return appendFloat(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case []string:
		return appendStrings(b, x), nil
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendAny(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			if b, err = appendAny(b, x[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	j, err := json.Marshal(v)
	return inspect.AppendJSONEscaped(b, j), err
}

// appendFloat is encoding/json's float64: ECMAScript's Number to String,
// without padding the exponent.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		_, err := json.Marshal(f)
		return b, err
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendTime is time.Time's MarshalJSON.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	j, err := t.MarshalJSON()
	return inspect.AppendJSONEscaped(b, j), err
}

// htmlSafe marks the ASCII bytes encoding/json writes as they are (with
// its HTML escaping, the default of json.Marshal), but DEL, which the
// JSON sanitizer escapes.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf-1; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string encoding with HTML escaping,
// escaped for a terminal as the JSON sanitizer escapes it (DEL, C1 and
// bidi controls as \u escapes, as encoding/json writes the C0 controls).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' || inspect.TerminalControl(r) {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
