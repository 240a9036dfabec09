package inspect

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// JWT is a decoded (not verified) JSON Web Token, split the way the SDK's
// decodeJwt splits it.
type JWT struct {
	Raw          string
	RawHeader    string
	RawPayload   string
	RawSignature string
	// Header and Payload are the JSON values as decoded; for a well-formed
	// token both are objects (map[string]any).
	Header    any
	Payload   any
	Signature []byte
}

// Token categories of the "cat" header.
const (
	CategorySession  = "cl_B7d4PD111AAA"
	CategoryTemplate = "cl_B7d4PD222AAA"
	CategoryM2M      = "cl_B7d4PD333AAA"
	CategoryIgnore   = "cl_I7d4PD111III"
)

// DecodeJWT decodes a token without verifying it. The error is a
// *TokenError with reason token-invalid, worded as the SDK words it. A
// token is decoded once (see memo.go): the JWT is shared by every caller
// that decodes the same token, and must not be changed.
func DecodeJWT(token string) (*JWT, error) {
	d := decodeToken(token)
	return d.jwt, d.err
}

// decodeJWT is DecodeJWT without the memo.
func decodeJWT(token string) (*JWT, error) {
	j, _, err := decodeJWTFormat(token)
	return j, err
}

// decodeJWTFormat is decodeJWT and the SDK's shape test of the same
// token (jwtFormat), which the decoding mostly answers on the way: three
// non-empty parts that decode strictly without trimming '=' are all of the
// base64url alphabet.
func decodeJWTFormat(token string) (j *JWT, format bool, err error) {
	h, rest, ok := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || strings.IndexByte(s, '.') >= 0 {
		return nil, jwtFormat(token), &TokenError{Reason: TokenInvalid, Message: msgJWTParts}
	}
	bad := func() error { return &TokenError{Reason: TokenInvalid, Message: msgJWTDecode} }
	// One buffer holds the three parts decoded, and one string the header
	// and the payload, whose JSON strings are substrings of it.
	buf := make([]byte, base64.RawURLEncoding.DecodedLen(len(h))+
		base64.RawURLEncoding.DecodedLen(len(p))+base64.RawURLEncoding.DecodedLen(len(s)))
	hn, hTrim, err := base64URLLooseInto(buf, h)
	if err != nil {
		return nil, jwtFormat(token), bad()
	}
	pn, pTrim, err := base64URLLooseInto(buf[hn:], p)
	if err != nil {
		return nil, jwtFormat(token), bad()
	}
	sn, sTrim, err := base64URLLooseInto(buf[hn+pn:], s)
	if err != nil {
		return nil, jwtFormat(token), bad()
	}
	format = h != "" && p != "" && s != "" && !hTrim && !pTrim && !sTrim
	text := string(buf[:hn+pn])
	header, err := jsonParse(text[:hn])
	if err != nil {
		return nil, format, bad()
	}
	payload, err := jsonParse(text[hn:])
	if err != nil {
		return nil, format, bad()
	}
	return &JWT{Raw: token, RawHeader: h, RawPayload: p, RawSignature: s,
		Header: header, Payload: payload, Signature: buf[hn+pn : hn+pn+sn : hn+pn+sn]}, format, nil
}

// jsonParse is JSON.parse after TextDecoder: a leading BOM is dropped.
func jsonParse(s string) (any, error) {
	return tokenJSON(strings.TrimPrefix(s, "\xef\xbb\xbf"))
}

// base64URLLoose decodes base64url as the SDK's rfc4648 parser in loose
// mode: trailing '=' are ignored, every other character must be in the
// URL-safe alphabet and the last character may not carry stray bits.
func base64URLLoose(s string) ([]byte, error) {
	b := make([]byte, base64.RawURLEncoding.DecodedLen(len(s)))
	n, _, err := base64URLLooseInto(b, s)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

var strictBase64URL = base64.RawURLEncoding.Strict()

// base64URLLooseInto is base64URLLoose into dst, which has room for
// DecodedLen(len(s)) bytes; trimmed says whether s ended with '='.
// encoding/base64 skips CR and LF, which the SDK refuses, so they are
// refused first.
func base64URLLooseInto(dst []byte, s string) (n int, trimmed bool, err error) {
	t := strings.TrimRight(s, "=")
	trimmed = len(t) != len(s)
	if strings.IndexByte(t, '\r') >= 0 || strings.IndexByte(t, '\n') >= 0 {
		return 0, trimmed, fmt.Errorf("invalid character")
	}
	n, err = strictBase64URL.Decode(dst, []byte(t))
	return n, trimmed, err
}

// HeaderString returns a string header field.
func (j *JWT) HeaderString(name string) string {
	s, _ := js.AsString(js.Field(j.Header, name))
	return s
}

// Claim returns a payload claim (undefined when absent).
func (j *JWT) Claim(name string) any { return js.Field(j.Payload, name) }

// ClaimString returns a string claim or "".
func (j *JWT) ClaimString(name string) string {
	s, _ := js.AsString(j.Claim(name))
	return s
}

// ClaimTime returns a NumericDate claim as a time.
func (j *JWT) ClaimTime(name string) (time.Time, bool) {
	f, ok := j.Claim(name).(float64)
	if !ok {
		return time.Time{}, false
	}
	return js.SecondsToTime(f), true
}

func isNonSessionCategory(cat any) bool {
	if js.IsUndefined(cat) {
		return false
	}
	s, ok := cat.(string)
	return !ok || s != CategorySession && s != CategoryIgnore
}

// b64urlChar marks the base64url alphabet.
var b64urlChar = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()

// jwtFormat is the SDK's /^[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+$/.
func jwtFormat(token string) bool {
	dots, run := 0, 0
	for i := 0; i < len(token); i++ {
		c := token[i]
		if c == '.' {
			if run == 0 {
				return false
			}
			dots++
			run = 0
			continue
		}
		if !b64urlChar[c] {
			return false
		}
		run++
	}
	return dots == 2 && run > 0
}

func categoryName(c string) string {
	switch c {
	case CategorySession:
		return "session token"
	case CategoryTemplate:
		return "JWT template token"
	case CategoryM2M:
		return "machine token"
	case CategoryIgnore:
		return "categories ignored"
	}
	return "unknown category"
}
