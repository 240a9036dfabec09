package inspect

import (
	"fmt"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
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

// The fields keep the JSON values toAuth() returns, which a token decides
// (a number where a string belongs, null); the Get accessors read them
// typed, so that callers need not assert: the text a field's value has in
// JavaScript's String() for a string, number or boolean, and "" for null,
// an absent value or an object. Each is safe on a nil *Auth.

// GetUserID is userId as a string.
func (a *Auth) GetUserID() string {
	if a == nil {
		return ""
	}
	return js.ToString(a.UserID)
}

// GetSessionID is sessionId as a string.
func (a *Auth) GetSessionID() string {
	if a == nil {
		return ""
	}
	return js.ToString(a.SessionID)
}

// GetOrgID is orgId as a string.
func (a *Auth) GetOrgID() string {
	if a == nil {
		return ""
	}
	return js.ToString(a.OrgID)
}

// GetOrgSlug is orgSlug as a string.
func (a *Auth) GetOrgSlug() string {
	if a == nil {
		return ""
	}
	return js.ToString(a.OrgSlug)
}

// GetOrgRole is orgRole as a string.
func (a *Auth) GetOrgRole() string {
	if a == nil {
		return ""
	}
	return js.ToString(a.OrgRole)
}

// GetSubject is a machine token's subject as a string.
func (a *Auth) GetSubject() string {
	if a == nil {
		return ""
	}
	return js.ToString(a.Subject)
}

// GetID is a machine token's id as a string.
func (a *Auth) GetID() string {
	if a == nil {
		return ""
	}
	return js.ToString(a.ID)
}

// HasOrg reports an active organization: orgId is truthy, as the SDK
// tests it.
func (a *Auth) HasOrg() bool { return a != nil && js.Truthy(a.OrgID) }

// Pending reports a pending session (sts "pending"): the user still has a
// task to complete.
func (a *Auth) Pending() bool {
	if a == nil {
		return false
	}
	s, ok := a.SessionStatus.(string)
	return ok && s == sessionStatusPending
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
			return nil, nil, fmt.Errorf(msgFeaClaim, part)
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

func describeOrg(a *Auth) string {
	if !a.HasOrg() {
		return "none (personal account)"
	}
	s := a.GetOrgID()
	if js.Truthy(a.OrgSlug) {
		s += " (" + a.GetOrgSlug() + ")"
	}
	return s
}
