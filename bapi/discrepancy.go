package bapi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// Discrepancy is a place where the token and the Backend API disagree,
// with what would fix it (never done by clerkscope: it only reads).
type Discrepancy struct {
	Severity string `json:"severity"` // error, warning or info
	// Code is stable (see the constants).
	Code string `json:"code"`
	Text string `json:"text"`
	// Next is the action that would help: the Dashboard path or the
	// endpoint (clerkscope never calls it).
	Next string `json:"next,omitempty"`

	// secrets are values in Text that a redacted output hides (private
	// metadata).
	secrets []string
}

// Discrepancy codes.
const (
	CodeSessionEnded       = "session-ended" // revoked, ended, expired, removed, abandoned or replaced
	CodeSessionUser        = "session-user-mismatch"
	CodeSessionStatus      = "session-status-changed" // pending ↔ active since the token
	CodeSessionLifetime    = "session-lifetime-over"
	CodeSessionOrg         = "session-org-changed"
	CodeUserBanned         = "user-banned"
	CodeUserLocked         = "user-locked"
	CodeUserDeprovisioned  = "user-deprovisioned"
	CodeOrgMembershipGone  = "org-membership-gone"
	CodeOrgRole            = "org-role-changed"
	CodeOrgPermissions     = "org-permissions-changed"
	CodeMetadataClaim      = "metadata-claim-differs"
	CodeInstanceMismatch   = "instance-mismatch"
	CodeKeyKindMismatch    = "key-kind-mismatch"
	CodeNotFound           = "not-found"
	metadataUpdateEndpoint = "PATCH /v1/users/{id}/metadata (since API version 2026-05-12 PATCH /v1/users/{id} no longer accepts metadata)"
)

// sessionWords is each session status in plain words (Clerk's
// SessionStatus documentation).
var sessionWords = map[string]string{
	"active":    "signed in",
	"pending":   "signed in, with session tasks left (the app treats it as signed out until they are done)",
	"revoked":   "ended by the application (revoked) and removed from the client",
	"ended":     "the user signed out; it stays on the client",
	"expired":   "its maximum lifetime passed",
	"removed":   "the user signed out and it was removed from the client",
	"abandoned": "abandoned: not used within the inactivity timeout",
	"replaced":  "replaced by another session on the same client",
}

// SessionWords says what a session status means.
func SessionWords(status string) string {
	if w, ok := sessionWords[status]; ok {
		return w
	}
	return status
}

// sessionNext is what would bring a user with an ended session back.
func sessionNext(status string) string {
	switch status {
	case "revoked":
		return "the user signs in again; find who revoked it in the Dashboard (Users → the user → Sessions)"
	case "expired":
		return "the user signs in again; the maximum lifetime is under Dashboard → Sessions → Session lifetime"
	case "abandoned":
		return "the user signs in again; the inactivity timeout is under Dashboard → Sessions → Session lifetime"
	}
	return "the user signs in again"
}

func compare(lk *Lookup, t *TokenFacts, keyKind string) []Discrepancy {
	var d []Discrepancy
	add := func(sev, code, next, f string, a ...any) *Discrepancy {
		d = append(d, Discrepancy{Severity: sev, Code: code, Text: fmt.Sprintf(f, a...), Next: next})
		return &d[len(d)-1]
	}
	at := lk.At
	if s := lk.Session; s != nil {
		if t.UserID != "" && s.UserID != "" && s.UserID != t.UserID {
			add("error", CodeSessionUser, "", "the session %s belongs to %s at the Backend API, but the token's sub is %s", s.ID, s.UserID, t.UserID)
		}
		ended := s.Status != "active" && s.Status != "pending"
		switch {
		case ended && t.Valid:
			add("error", CodeSessionEnded, sessionNext(s.Status),
				"the session is %s at the Backend API (%s), but the token is still inside its lifetime: the app treats the user as signed in until it expires (≤ 60 s), then the refresh fails and the user is signed out", s.Status, SessionWords(s.Status))
		case ended:
			add("warning", CodeSessionEnded, sessionNext(s.Status), "the session is %s at the Backend API (%s): no new token will be minted for it", s.Status, SessionWords(s.Status))
		case t.SessionStatus == "active" && s.Status == "pending":
			add("warning", CodeSessionStatus, "", "the session is pending at the Backend API (tasks left: %s); the token says active", taskKeys(s))
		case t.SessionStatus == "pending" && s.Status == "active":
			add("info", CodeSessionStatus, "", "the session's tasks are done since the token was minted: the next token says active")
		}
		if !ended {
			if !s.ExpireAt.IsZero() && s.ExpireAt.Before(at) {
				add("warning", CodeSessionLifetime, sessionNext("expired"), "the session's lifetime ended %s before the request (%s), though its status still says %s", inspect.Ago(at.Sub(s.ExpireAt.Time)), s.ExpireAt.Format(time.RFC3339), s.Status)
			} else if !s.AbandonAt.IsZero() && s.AbandonAt.Before(at) {
				add("warning", CodeSessionLifetime, sessionNext("abandoned"), "the session's inactivity timeout passed %s before the request (%s)", inspect.Ago(at.Sub(s.AbandonAt.Time)), s.AbandonAt.Format(time.RFC3339))
			}
		}
		if t.Valid && !ended {
			now := ""
			if s.LastActiveOrganizationID != nil {
				now = *s.LastActiveOrganizationID
			}
			switch {
			case now == t.OrgID:
			case t.OrgID == "":
				add("info", CodeSessionOrg, "", "the session's active organization is now %s; the token has none: changes reach the session token at its next refresh", now)
			case now == "":
				add("warning", CodeSessionOrg, "", "the session has no active organization now; the token says %s: changes reach the session token at its next refresh", t.OrgID)
			default:
				add("warning", CodeSessionOrg, "", "the session's active organization is now %s; the token says %s: changes reach the session token at its next refresh", now, t.OrgID)
			}
		}
	}
	if u := lk.User; u != nil {
		since := ""
		if !t.IssuedAt.IsZero() && !u.UpdatedAt.IsZero() && u.UpdatedAt.After(t.IssuedAt) {
			since = fmt.Sprintf(" (the user record changed %s after the token was minted)", inspect.Ago(u.UpdatedAt.Sub(t.IssuedAt)))
		}
		valid := ""
		if t.Valid {
			valid = "; this token still passes until it expires"
		}
		if u.Banned {
			add("error", CodeUserBanned, "unban: Dashboard → Users → the user → Unban user, or POST /v1/users/{id}/unban",
				"the user is banned: Clerk ended their sessions and refuses sign-in%s%s", since, valid)
		}
		if u.Locked {
			exp := "the lockout does not expire by itself"
			if u.LockoutExpiresInSeconds != nil {
				exp = fmt.Sprintf("unlocks in %s", inspect.Ago(time.Duration(*u.LockoutExpiresInSeconds)*time.Second))
			}
			add("error", CodeUserLocked, "unlock: Dashboard → Users → the user → Unlock user, or POST /v1/users/{id}/unlock",
				"the user is locked (too many failed verification attempts, or locked by an admin): %s%s%s", exp, since, valid)
		}
		if u.Deprovisioned {
			add("error", CodeUserDeprovisioned, "provision the user again in the identity provider (SCIM directory)",
				"the user was deprovisioned by their enterprise directory: sign-in is refused%s%s", since, valid)
		}
		for _, cd := range metadataClaimDiffs(t.Claims, u) {
			x := add("warning", CodeMetadataClaim, "if it stays different, the session token template maps another field; metadata is updated with "+metadataUpdateEndpoint,
				"the token's claim %s is %s; %s is %s now: a session token template copies metadata when a token is minted, so the next token (≤ 60 s) carries the new value", cd.claim, cd.token, cd.field, cd.now)
			if strings.HasPrefix(cd.field, "private_metadata") {
				x.secrets = []string{cd.token, cd.now}
			}
		}
	}
	if t.Valid && t.OrgID != "" && lk.membershipsRead {
		org := t.OrgID
		if lk.Organization != nil && lk.Organization.Slug != "" {
			org = lk.Organization.Slug + " (" + t.OrgID + ")"
		}
		m := lk.Membership
		switch {
		case m == nil:
			add("error", CodeOrgMembershipGone, "invite the user again: Dashboard → Organizations → the organization → Members",
				"the user is no longer a member of %s, which the token names as the active organization: the next token drops it", org)
		default:
			if t.OrgRole != "" && m.Role != t.OrgRole {
				add("warning", CodeOrgRole, "", "the user's role in %s is now %s (%s); the token still says %s: changes reach the session token at its next refresh (≤ 60 s)", org, m.Role, m.RoleName, t.OrgRole)
			}
			if gone := diff(t.OrgPermissions, m.Permissions); len(gone) > 0 {
				add("warning", CodeOrgPermissions, "", "the token carries permissions the membership no longer has: %s (changes reach the session token at its next refresh)", strings.Join(gone, ", "))
			}
			// System permissions (org:sys_…) are never in the token.
			var custom []string
			for _, p := range m.Permissions {
				if !strings.HasPrefix(p, "org:sys_") {
					custom = append(custom, p)
				}
			}
			if t.OrgPermissions != nil {
				if added := diff(custom, t.OrgPermissions); len(added) > 0 {
					add("warning", CodeOrgPermissions, "", "the membership has permissions the token does not carry yet: %s (changes reach the session token at its next refresh)", strings.Join(added, ", "))
				}
			}
		}
	}
	if in := lk.Instance; in != nil && in.ID != "" && strings.HasPrefix(t.Kid, "ins_") && t.Kid != in.ID {
		add("error", CodeInstanceMismatch, "use the secret key of the instance that signed the token (Dashboard → API keys of that instance)",
			"the token was signed by instance %s, but the secret key belongs to %s: every lookup answers for another instance", t.Kid, in.ID)
	}
	if t.InstanceType != "" && keyKind != "" && t.InstanceType != keyKind {
		add("error", CodeKeyKindMismatch, "use the "+t.InstanceType+" instance's secret key",
			"the secret key is a %s key but the token is from a %s instance: lookups answer 404", keyKind, t.InstanceType)
	}
	for _, f := range lk.failures {
		var e *Error
		if errors.As(f.err, &e) && e.NotFound() && (strings.HasPrefix(f.what, "session ") || strings.HasPrefix(f.what, "user ")) {
			add("warning", CodeNotFound, "", "%s is not in this instance: is the secret key from the same instance as the token?", f.what)
		}
	}
	return d
}

func taskKeys(s *Session) string {
	var ks []string
	for _, t := range s.Tasks {
		ks = append(ks, t.Key)
	}
	if len(ks) == 0 {
		return "none listed"
	}
	return strings.Join(ks, ", ")
}
