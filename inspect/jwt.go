package inspect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"clerkscope/inspect/internal/js"
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
// *TokenError with reason token-invalid, worded as the SDK words it.
func DecodeJWT(token string) (*JWT, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, &TokenError{Reason: TokenInvalid, Message: "Invalid JWT form. A JWT consists of three parts separated by dots."}
	}
	bad := &TokenError{Reason: TokenInvalid, Message: "Invalid JWT form. The header, payload, or signature could not be decoded."}
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

// Category is the "cat" header, "" when absent.
func (j *JWT) Category() string { return j.HeaderString("cat") }

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

// Token types, as the SDK spells them.
const (
	TokenTypeSession = "session_token"
	TokenTypeAPIKey  = "api_key"
	TokenTypeM2M     = "m2m_token"
	TokenTypeOAuth   = "oauth_token"
)

// Auth is the serializable part of the SDK's toAuth() object. Fields hold
// whatever the token carried (usually strings), nil meaning null.
type Auth struct {
	IsAuthenticated       bool     `json:"isAuthenticated"`
	TokenType             any      `json:"tokenType"`
	UserID                any      `json:"userId"`
	SessionID             any      `json:"sessionId"`
	SessionStatus         any      `json:"sessionStatus"`
	OrgID                 any      `json:"orgId"`
	OrgRole               any      `json:"orgRole"`
	OrgSlug               any      `json:"orgSlug"`
	OrgPermissions        any      `json:"orgPermissions"`
	Actor                 any      `json:"actor"`
	FactorVerificationAge any      `json:"factorVerificationAge"`
	Features              []string `json:"features,omitempty"`
	Plans                 []string `json:"plans,omitempty"`
	// Machine token fields.
	ID        any `json:"id,omitempty"`
	Subject   any `json:"subject,omitempty"`
	Scopes    any `json:"scopes,omitempty"`
	Name      any `json:"name,omitempty"`
	MachineID any `json:"machineId,omitempty"`
	ClientID  any `json:"clientId,omitempty"`

	err error // toAuth() would throw (malformed fea claim)
}

func nullIfUndefined(v any) any {
	if js.IsUndefined(v) {
		return nil
	}
	return v
}

// signedInAuth is __experimental_JWTPayloadToAuthObjectProperties plus the
// signed-in auth object.
func signedInAuth(claims any) *Auth {
	a := &Auth{IsAuthenticated: true, TokenType: TokenTypeSession}
	a.UserID = nullIfUndefined(js.Field(claims, "sub"))
	a.SessionID = nullIfUndefined(js.Field(claims, "sid"))
	a.SessionStatus = nullIfUndefined(js.Field(claims, "sts"))
	a.Actor = nullIfUndefined(js.Field(claims, "act"))
	a.FactorVerificationAge = nullIfUndefined(js.Field(claims, "fva"))
	if v, ok := js.Field(claims, "v").(float64); ok && v == 2 {
		o := js.Field(claims, "o")
		if js.Truthy(o) {
			a.OrgID = nullIfUndefined(js.Field(o, "id"))
			a.OrgSlug = nullIfUndefined(js.Field(o, "slg"))
			if rol := js.Field(o, "rol"); js.Truthy(rol) {
				a.OrgRole = "org:" + js.ToString(rol)
			}
			fea, _ := js.AsString(js.Field(claims, "fea"))
			orgFeatures, _, err := splitByScope(fea)
			if err != nil {
				a.err = err
			}
			per, _ := js.AsString(js.Field(o, "per"))
			fpm, _ := js.AsString(js.Field(o, "fpm"))
			a.OrgPermissions = buildOrgPermissions(orgFeatures, per, fpm)
		}
	} else {
		a.OrgID = nullIfUndefined(js.Field(claims, "org_id"))
		a.OrgRole = nullIfUndefined(js.Field(claims, "org_role"))
		a.OrgSlug = nullIfUndefined(js.Field(claims, "org_slug"))
		a.OrgPermissions = nullIfUndefined(js.Field(claims, "org_permissions"))
	}
	if fea, ok := js.AsString(js.Field(claims, "fea")); ok && fea != "" {
		a.Features = splitList(fea)
	}
	if pla, ok := js.AsString(js.Field(claims, "pla")); ok && pla != "" {
		a.Plans = splitList(pla)
	}
	return a
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitByScope splits "o:invoices,u:premium" into org and user features;
// an element without a colon is an error, as in the SDK (which throws).
func splitByScope(fea string) (org, user []string, err error) {
	if fea == "" {
		return nil, nil, nil
	}
	for _, part := range strings.Split(fea, ",") {
		part = strings.TrimSpace(part)
		scope, id, ok := strings.Cut(part, ":")
		if !ok {
			return nil, nil, fmt.Errorf("Invalid claim element (missing colon): %s", part)
		}
		switch scope {
		case "o":
			org = append(org, id)
		case "u":
			user = append(user, id)
		case "ou", "uo":
			org = append(org, id)
			user = append(user, id)
		}
	}
	return org, user, nil
}

// buildOrgPermissions rebuilds org:<feature>:<permission> from the compact
// v2 claims: fpm holds, per org feature, a decimal bitmask over per.
func buildOrgPermissions(features []string, per, fpm string) []string {
	out := []string{}
	if per == "" || fpm == "" {
		return out
	}
	perms := strings.Split(per, ",")
	for i := range perms {
		perms[i] = strings.TrimSpace(perms[i])
	}
	masks := strings.Split(fpm, ",")
	for fi, feature := range features {
		if fi >= len(masks) {
			continue
		}
		bits := decimalToBits(strings.TrimSpace(masks[fi]))
		for pi := 0; pi < len(bits) && pi < len(perms); pi++ {
			if bits[pi] {
				out = append(out, "org:"+feature+":"+perms[pi])
			}
		}
	}
	return out
}

// decimalToBits converts an arbitrarily long decimal string to its bits,
// least significant first; nil for non-digits.
func decimalToBits(dec string) []bool {
	if dec == "" {
		return nil
	}
	for _, c := range dec {
		if c < '0' || c > '9' {
			return nil
		}
	}
	digits := []byte(strings.TrimLeft(dec, "0"))
	var bits []bool
	for len(digits) > 0 {
		var q []byte
		rem := 0
		for _, d := range digits {
			v := rem*10 + int(d-'0')
			if len(q) > 0 || v/2 != 0 {
				q = append(q, byte('0'+v/2))
			}
			rem = v % 2
		}
		bits = append(bits, rem == 1)
		digits = q
	}
	return bits
}

// plainSignedOut is shared by every signed-out verdict without a session
// status; it is never modified.
var plainSignedOut = &Auth{TokenType: TokenTypeSession}

// signedOutAuth is the SDK's signedOutAuthObject.
func signedOutAuth(sessionStatus any) *Auth {
	if sessionStatus == nil {
		return plainSignedOut
	}
	return &Auth{TokenType: TokenTypeSession, SessionStatus: sessionStatus}
}

// machineAuth is unauthenticatedMachineObject for a machine token type.
func unauthenticatedMachineAuth(tokenType string) *Auth {
	return &Auth{TokenType: tokenType}
}
