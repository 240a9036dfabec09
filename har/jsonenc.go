package har

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/clerkscope/clerkscope/inspect"
)

// explain --json writes one object per request, tens of thousands of
// times for a capture, and encoding/json's reflection was most of the
// time it took. appendRequestJSON writes the same bytes json.Marshal
// writes for a requestJSON — the fields in their order, the same escapes
// (HTML characters, U+2028 and U+2029, invalid UTF-8 as U+FFFD), numbers
// as ECMAScript prints them, map keys sorted — field by field into one
// buffer; a token's header and claims, shared by every request that sends
// the token, are encoded once (tokenParts). A test compares it with
// json.Marshal on every capture in testdata, on a bighar file and on
// random values of every field, so a field added to one of these types
// and not here fails it.

// jsonEncoder appends requests as JSON, remembering the encoded parts of
// the tokens it last wrote.
type jsonEncoder struct {
	tokens map[*inspect.JWT]tokenParts
}

// tokenParts is a token's header and claims, encoded.
type tokenParts struct{ header, claims []byte }

// tokenPartsKept bounds how many tokens' encodings are kept.
const tokenPartsKept = 64

func (e *jsonEncoder) request(b []byte, r *requestJSON, tok *inspect.JWT) ([]byte, error) {
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, int64(r.Index), 10)
	b = append(b, `,"method":`...)
	b = appendString(b, r.Method)
	b = append(b, `,"url":`...)
	b = appendString(b, r.URL)
	b = append(b, `,"time":`...)
	b = appendString(b, r.Time)
	if r.Class != "" {
		b = append(b, `,"class":`...)
		b = appendString(b, r.Class)
	}
	b = append(b, `,"status":`...)
	b = appendString(b, r.Status)
	b = append(b, `,"reason":`...)
	b = appendStringPtr(b, r.Reason)
	b = append(b, `,"message":`...)
	b = appendStringPtr(b, r.Message)
	if r.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, r.Error)
	}
	b = append(b, `,"auth":`...)
	b, err := appendAuth(b, r.Auth)
	if err != nil {
		return b, err
	}
	b = append(b, `,"location":`...)
	b = appendStringPtr(b, r.Location)
	b = append(b, `,"headers":`...)
	if r.Headers == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, h := range r.Headers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendString(b, h.Name)
			b = append(b, `,"value":`...)
			b = appendString(b, h.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"signature":`...)
	b = appendSignature(b, r.Signature)
	b = append(b, `,"cookieSet":`...)
	b = appendCookieSet(b, r.CookieSet)
	b = append(b, `,"explanation":{"summary":`...)
	b = appendString(b, r.Explanation.Summary)
	b = append(b, `,"why":`...)
	b = appendString(b, r.Explanation.Why)
	b = append(b, `,"next":`...)
	b = appendStrings(b, r.Explanation.Next)
	b = append(b, `},"evidence":`...)
	if r.Evidence == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, s := range r.Evidence {
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
	if len(r.Assumptions) > 0 {
		b = append(b, `,"assumptions":`...)
		b = appendStrings(b, r.Assumptions)
	}
	if len(r.BAPICalls) > 0 {
		b = append(b, `,"bapiCalls":[`...)
		for i, c := range r.BAPICalls {
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
	if len(r.Logs) > 0 {
		b = append(b, `,"sdkLogs":`...)
		b = appendStrings(b, r.Logs)
	}
	if o := r.Observed; o != nil {
		b = append(b, `,"observed":{"httpStatus":`...)
		b = strconv.AppendInt(b, int64(o.HTTPStatus), 10)
		if o.AuthStatus != "" {
			b = append(b, `,"authStatus":`...)
			b = appendString(b, o.AuthStatus)
		}
		if o.AuthReason != "" {
			b = append(b, `,"authReason":`...)
			b = appendString(b, o.AuthReason)
		}
		if o.Location != "" {
			b = append(b, `,"location":`...)
			b = appendString(b, o.Location)
		}
		if o.Agrees != nil {
			b = append(b, `,"agrees":`...)
			b = strconv.AppendBool(b, *o.Agrees)
		}
		b = append(b, '}')
	}
	if t := r.Token; t != nil {
		if b, err = e.token(b, t, tok); err != nil {
			return b, err
		}
	}
	if c := r.Clock; c != nil {
		b = append(b, `,"clock":{"judgedAt":`...)
		b = appendString(b, c.JudgedAt)
		b = append(b, `,"sent":`...)
		b = appendString(b, c.Sent)
		b = append(b, `,"offsetSeconds":`...)
		if b, err = appendFloat(b, c.OffsetSeconds); err != nil {
			return b, err
		}
		b = append(b, `,"from":`...)
		b = appendString(b, c.From)
		b = append(b, '}')
	}
	if c := r.Counterfactual; c != nil {
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
	if r.Lookup != nil {
		b = append(b, `,"lookup":`...)
		if b, err = appendAny(b, r.Lookup); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// token appends the "token" member. tok is the token t was made from: its
// header and claims are t's, encoded once per token.
func (e *jsonEncoder) token(b []byte, t *TokenJSON, tok *inspect.JWT) ([]byte, error) {
	b = append(b, `,"token":{`...)
	if t.Carrier != "" {
		b = append(b, `"carrier":`...)
		b = appendString(b, t.Carrier)
		b = append(b, ',')
	}
	var err error
	if p, ok := e.tokens[tok]; ok && tok != nil {
		b = append(b, `"header":`...)
		b = append(b, p.header...)
		b = append(b, `,"claims":`...)
		b = append(b, p.claims...)
	} else {
		b = append(b, `"header":`...)
		at := len(b)
		if b, err = appendAny(b, t.Header); err != nil {
			return b, err
		}
		header := b[at:]
		b = append(b, `,"claims":`...)
		at = len(b)
		if b, err = appendAny(b, t.Claims); err != nil {
			return b, err
		}
		if tok != nil {
			if e.tokens == nil || len(e.tokens) >= tokenPartsKept {
				e.tokens = make(map[*inspect.JWT]tokenParts, tokenPartsKept)
			}
			e.tokens[tok] = tokenParts{header: slices.Clone(header), claims: slices.Clone(b[at:])}
		}
	}
	if t.Raw != "" {
		b = append(b, `,"raw":`...)
		b = appendString(b, t.Raw)
	}
	if len(t.Times) > 0 {
		b = append(b, `,"times":`...)
		if b, err = appendAny(b, t.Times); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
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

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
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
	return append(b, j...), err
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
	return append(b, j...), err
}

// htmlSafe marks the ASCII bytes encoding/json writes as they are (with
// its HTML escaping, the default of json.Marshal).
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string encoding with HTML escaping.
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
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
