package inspect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
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
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, &TokenError{Reason: TokenInvalid, Message: msgJWTParts}
	}
	bad := &TokenError{Reason: TokenInvalid, Message: msgJWTDecode}
	hb, err := base64URLLoose(parts[0])
	if err != nil {
		return nil, bad
	}
	pb, err := base64URLLoose(parts[1])
	if err != nil {
		return nil, bad
	}
	sig, err := base64URLLoose(parts[2])
	if err != nil {
		return nil, bad
	}
	var header, payload any
	if err := jsonParse(hb, &header); err != nil {
		return nil, bad
	}
	if err := jsonParse(pb, &payload); err != nil {
		return nil, bad
	}
	return &JWT{Raw: token, RawHeader: parts[0], RawPayload: parts[1], RawSignature: parts[2],
		Header: header, Payload: payload, Signature: sig}, nil
}

// jsonParse is JSON.parse after TextDecoder: a leading BOM is dropped.
func jsonParse(b []byte, v any) error {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return json.Unmarshal(b, v)
}

// base64URLLoose decodes base64url as the SDK's rfc4648 parser in loose
// mode: trailing '=' are ignored, every other character must be in the
// URL-safe alphabet and the last character may not carry stray bits.
func base64URLLoose(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("invalid character")
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
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
