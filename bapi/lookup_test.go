package bapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// at is the shared records' reference clock (2026-01-01T00:00:00Z).
var at = time.UnixMilli(1767225600000).UTC()

func text(secs []Section) string {
	var b bytes.Buffer
	WriteText(&b, secs, "")
	return b.String()
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not show %q:\n%s", what, w, got)
		}
	}
}

// TestFindUser: lookup finds the user by each kind of identifier, shows
// a single match's whole card, and lists several matches instead of
// guessing.
func TestFindUser(t *testing.T) {
	f, srv := newFake(t)
	c := newTestClient(t, srv.URL, nil)
	alice := "User user_2ALICE000000000000000000000 — Alice Anders"
	for _, tc := range []struct {
		name, q, by string
		want        []string
		call        string // the path of GET /v1/users it needs, if any
	}{
		{"id", "user_2ALICE000000000000000000000", "", []string{alice}, ""},
		{"email", "alice@example.com", "", []string{alice}, "/v1/users"},
		{"second email", "alice.work@example.org", "", []string{alice}, "/v1/users"},
		{"phone, as typed", "+1 (555) 555-0101", "", []string{alice}, "/v1/users"},
		{"username", "alice", "", []string{alice}, "/v1/users"},
		{"external id", "crm-1001", "", []string{alice}, "/v1/users"},
		{"free text", "Anders", "", []string{alice}, "/v1/users"},
		{"forced username", "frank", "username", []string{"User user_2FRANK000000000000000000000 — Frank Fischer"}, "/v1/users"},
		{"session id: its user, the session marked", "sess_2IMPERSONATED00000000000000", "", []string{alice, "▶ active         sess_2IMPERSONATED00000000000000", "Sessions (4) — ▶ the session asked for"}, ""},
		{"several matches are listed", "example", "", []string{`7 users match query "example" — not guessed between`, "user_2BOB00000000000000000000000 Bob Baker <bob@example.com>", "user_2FRANK000000000000000000000 Frank Fischer"}, "/v1/users"},
		{"organization slug", "acme", "", []string{"Organization org_2ACME0000000000000000000000 — Acme Inc", "members        2 of at most 5", "invitations    2 pending", "org:admin      hank@example.org"}, ""},
		{"organization id", "org_2GLOBEX00000000000000000000", "", []string{"Organization org_2GLOBEX00000000000000000000"}, ""},
		{"client", "client_2ALICECHROME000000000000000", "", []string{"Client client_2ALICECHROME000000000000000", "▶ active         sess_2ALICEACTIVE000000000000000"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.count("/v1/users")
			var out bytes.Buffer
			if err := PrintLookup(context.Background(), c, Query{Text: tc.q, By: tc.by, At: at}, false, &out); err != nil {
				t.Fatal(err)
			}
			mustContain(t, tc.q, out.String(), tc.want...)
			if tc.call != "" && f.count(tc.call) == before {
				t.Errorf("%s was not searched with GET /v1/users", tc.q)
			}
		})
	}
	var out bytes.Buffer
	err := PrintLookup(context.Background(), c, Query{Text: "nobody@example.com", At: at}, false, &out)
	if err == nil || !strings.Contains(err.Error(), `no user matches email "nobody@example.com"`) {
		t.Errorf("no match: %v", err)
	}
	err = PrintLookup(context.Background(), c, Query{Text: "x", By: "shoe-size", At: at}, false, &out)
	if err == nil || !strings.Contains(err.Error(), "use id, email, phone") {
		t.Errorf("bad --by: %v", err)
	}
}

// TestLookupJSON: --json is the joined lookup; --json with records is the
// API's records as they came.
func TestLookupJSON(t *testing.T) {
	_, srv := newFake(t)
	c := newTestClient(t, srv.URL, nil)
	var out bytes.Buffer
	if err := PrintLookup(context.Background(), c, Query{Text: "alice@example.com", At: at}, true, &out); err != nil {
		t.Fatal(err)
	}
	var a struct {
		Kind   string
		Lookup struct {
			User        map[string]any
			Sessions    []map[string]any
			Memberships []struct {
				Membership         map[string]any
				MembersCount       int
				PendingInvitations int
			}
			Metadata []MetadataInfo
		}
	}
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if a.Kind != "user" || a.Lookup.User["id"] != "user_2ALICE000000000000000000000" || len(a.Lookup.Sessions) != 4 ||
		len(a.Lookup.Memberships) != 2 || a.Lookup.Memberships[0].PendingInvitations != 2 || a.Lookup.Memberships[0].MembersCount != 2 || len(a.Lookup.Metadata) != 3 {
		t.Errorf("lookup JSON: %s", out.String())
	}
	if a.Lookup.User["last_sign_in_at"] != "2025-12-31T23:00:00Z" {
		t.Errorf("times are not RFC 3339: %v", a.Lookup.User["last_sign_in_at"])
	}
	out.Reset()
	if err := PrintLookup(context.Background(), c, Query{Text: "user_2ALICE000000000000000000000", Records: true, At: at}, true, &out); err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(out.Bytes(), &recs); err != nil || recs[0]["object"] != "user" || recs[0]["last_sign_in_at"] != float64(1767222000000) || recs[1]["object"] != "session" {
		t.Errorf("records: %v %.300s", err, out.String())
	}
}

// TestUserCard: every field of the user card, from the shared records
// (alice, erin) and ours (frank: passkeys, MFA turned off, deprovisioned,
// a lockout that never expires).
func TestUserCard(t *testing.T) {
	_, srv := newFake(t)
	l := NewLooker(newTestClient(t, srv.URL, nil), 0)
	ctx := context.Background()
	for _, tc := range []struct {
		user string
		want []string
	}{
		{"user_2ALICE000000000000000000000", []string{
			// identifiers, primary first, with their verification
			"email          alice@example.com — primary, verified (via google OAuth)",
			"email          alice.work@example.org — verified (email_code)",
			"phone          +15555550101 — primary, verified (phone_code); second factor (default)",
			"username       alice", "external id    crm-1001", "linked         google account alice@example.com — verified",
			"created        2025-06-15T00:00:00Z (200 days ago)", "last sign-in   2025-12-31T23:00:00Z (1 h 0 min ago)", "last active    2026-01-01 (day precision)",
			// MFA
			"password       set, last changed 2025-06-15", "MFA            on since 2025-06-17", "TOTP           on", "backup codes   on",
			"SMS 2nd factor +15555550101 (default)", "passkeys       none",
			// lockout and blocking
			"banned         no", "locked         no", "attempts left  100 before lockout", "deprovisioned  no",
			// metadata apart, with access and sizes
			"public         29 B, 2 keys — read by frontend and backend; written by backend only", `{"role":"admin","plan":"pro"}`,
			"private        37 B, 1 key — read by backend only; written by backend only", `{"stripe_customer_id":"cus_FAKE1001"}`,
			"unsafe         43 B, 2 keys — read by frontend and backend; written by frontend and backend (never trust it for authorization)",
			"Clerk allows 8 KB, and advises under 1.2 KB for what a session token template copies", "PATCH /v1/users/{id}/metadata (since API version 2026-05-12",
		}},
		{"user_2ERIN0000000000000000000000", []string{"locked         yes — unlocks in 30 min 0 s", "attempts left  0 before lockout"}},
		{"user_2DAVE0000000000000000000000", []string{"banned         yes"}},
		{"user_2FRANK000000000000000000000", []string{
			"web3 wallet    0x0000000000000000000000000000000000f4a2c1 — primary, verified",
			"password       not set", "MFA            off since 2025-12-22T00:00:00Z (10 days ago) (turned off)",
			"passkey        MacBook Touch ID, last used 2025-12-31T22:00:00Z (2 h 0 min ago)", "passkey        YubiKey 5C, last used 2025-11-22",
			"locked         yes — the lockout never expires by itself", "attempts left  account lockout is not enabled", "deprovisioned  yes",
		}},
	} {
		lk := l.ForUser(ctx, tc.user, "", at)
		if len(lk.Errors) > 0 {
			t.Errorf("%s: %v", tc.user, lk.Errors)
		}
		mustContain(t, tc.user, text(lk.Sections()), tc.want...)
	}
}

// TestSessionsAndOrganizations: the user's sessions in plain words with
// the token's marked, device and place, the impersonator and the client;
// every membership with role, permissions, counts, invitations and
// membership metadata.
func TestSessionsAndOrganizations(t *testing.T) {
	_, srv := newFake(t)
	l := NewLooker(newTestClient(t, srv.URL, nil), 0)
	v := &inspect.Verdict{Status: inspect.SignedIn, Auth: &inspect.Auth{IsAuthenticated: true, UserID: "user_2ALICE000000000000000000000",
		SessionID: "sess_2IMPERSONATED00000000000000", OrgID: "org_2ACME0000000000000000000000", OrgRole: "org:admin"}}
	lk := l.ForAuth(context.Background(), v, at)
	got := text(lk.Sections())
	mustContain(t, "alice's card", got,
		"Sessions (4) — ▶ the token's session",
		"  active         sess_2ALICEACTIVE000000000000000 — signed in",
		"last active 2025-12-31T23:55:00Z (5 min 0 s before the request)",
		"expires in 7 days (2026-01-07T23:00:00Z), abandons in 30 days (2026-01-30T23:00:00Z)",
		"device Chrome 142.0.0.0 on Macintosh; Athens, GR, 203.0.113.10",
		"expired        sess_2ALICEEXPIRED00000000000000 — its maximum lifetime passed",
		"expired 3 days before the request (2025-12-29T00:00:00Z)",
		"ended          sess_2ALICEENDED0000000000000000 — the user signed out; it stays on the client",
		"device Firefox 142.0.0.0 on Macintosh; Berlin, DE, 198.51.100.7",
		"▶ active         sess_2IMPERSONATED00000000000000 — signed in",
		"impersonated by user_2SUPPORT0000000000000000000 (https://dashboard.clerk.com)",
		"client client_2SUPPORT0000000000000000000",
		"Organizations (2) — ▶ the token's active organization",
		"▶ acme           Admin (org:admin) in Acme Inc (org_2ACME0000000000000000000000) — 2 members of at most 5, 2 pending invitations",
		"8 permissions: org:sys_profile:manage,",
		`membership public metadata (frontend reads): {"department":"engineering"}`,
		"membership private metadata (backend only): {}",
		"invited: gina@example.com as org:member, expires in 5 days",
		"  globex         Member (org:member) in Globex Corporation",
		"Instance", "ins_2FAKEINSTANCE00000000000000 (development)",
	)
	// Statuses the shared records hold for other users, and ours.
	for _, tc := range []struct{ user, want string }{
		{"user_2BOB00000000000000000000000", "revoked        sess_2BOBREVOKED0000000000000000 — ended by the application (revoked) and removed from the client"},
		{"user_2BOB00000000000000000000000", "abandoned      sess_2BOBABANDONED00000000000000 — abandoned: not used within the inactivity timeout"},
		{"user_2BOB00000000000000000000000", "device Safari"},
		{"user_2CAROL000000000000000000000", "pending        sess_2CAROLPENDING00000000000000 — signed in, with session tasks left"},
		{"user_2CAROL000000000000000000000", "tasks left: choose-organization"},
		{"user_2CAROL000000000000000000000", "removed        sess_2CAROLREMOVED00000000000000 — the user signed out and it was removed from the client"},
		{"user_2FRANK000000000000000000000", "replaced       sess_2FRANKREPLACED00000000000000 — replaced by another session on the same client"},
		{"user_2ERIN0000000000000000000000", "Billing manager (org:billing_manager)"},
	} {
		mustContain(t, tc.user, text(l.ForUser(context.Background(), tc.user, "", at).Sections()), tc.want)
	}
}

func claims(kv ...any) map[string]any {
	m := map[string]any{"iss": "https://clerk.example.com", "iat": float64(at.Add(-30 * time.Second).Unix())}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// TestDiscrepancies: one case per kind of disagreement between the token
// and the records, each with its code, and none on a token that agrees.
func TestDiscrepancies(t *testing.T) {
	_, srv := newFake(t)
	l := NewLooker(newTestClient(t, srv.URL, nil), 0)
	auth := func(user, sess, org, role string, perms ...string) *inspect.Auth {
		a := &inspect.Auth{IsAuthenticated: true, UserID: user, SessionID: sess}
		if org != "" {
			a.OrgID, a.OrgRole = org, role
			a.OrgPermissions = perms
		}
		return a
	}
	const (
		alice = "user_2ALICE000000000000000000000"
		bob   = "user_2BOB00000000000000000000000"
		acme  = "org_2ACME0000000000000000000000"
	)
	for _, tc := range []struct {
		name   string
		v      *inspect.Verdict
		code   string
		want   string
		absent bool
	}{
		{name: "a token that agrees", v: &inspect.Verdict{Status: inspect.SignedIn, Instance: inspect.Instance{Type: inspect.Development},
			Auth: auth(alice, "sess_2ALICEACTIVE000000000000000", acme, "org:admin"), Token: &inspect.JWT{Header: map[string]any{"kid": "ins_2FAKEINSTANCE00000000000000"}, Payload: claims("role", "admin")}},
			want: "the records agree with the token", absent: true},
		{name: "revoked while the token is valid", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(bob, "sess_2BOBREVOKED0000000000000000", "", "")},
			code: CodeSessionEnded, want: "the session is revoked at the Backend API (ended by the application (revoked) and removed from the client), but the token is still inside its lifetime"},
		{name: "ended, token expired", v: &inspect.Verdict{Status: inspect.SignedOut, Token: &inspect.JWT{Payload: claims("sid", "sess_2ALICEENDED0000000000000000", "sub", alice)}},
			code: CodeSessionEnded, want: "the session is ended at the Backend API (the user signed out; it stays on the client): no new token will be minted for it"},
		{name: "expired", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(alice, "sess_2ALICEEXPIRED00000000000000", acme, "org:admin")},
			code: CodeSessionEnded, want: "the session is expired at the Backend API"},
		{name: "removed", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth("user_2CAROL000000000000000000000", "sess_2CAROLREMOVED00000000000000", "", "")},
			code: CodeSessionEnded, want: "the session is removed at the Backend API"},
		{name: "abandoned", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(bob, "sess_2BOBABANDONED00000000000000", "", "")},
			code: CodeSessionEnded, want: "the session is abandoned at the Backend API"},
		{name: "replaced", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth("user_2FRANK000000000000000000000", "sess_2FRANKREPLACED00000000000000", "", "")},
			code: CodeSessionEnded, want: "the session is replaced at the Backend API"},
		{name: "pending now, active in the token", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: &inspect.Auth{IsAuthenticated: true, UserID: "user_2CAROL000000000000000000000", SessionID: "sess_2CAROLPENDING00000000000000", SessionStatus: "active"}},
			code: CodeSessionStatus, want: "the session is pending at the Backend API (tasks left: choose-organization); the token says active"},
		{name: "banned", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth("user_2DAVE0000000000000000000000", "sess_2DAVEREVOKED000000000000000", "", "")},
			code: CodeUserBanned, want: "the user is banned: Clerk ended their sessions and refuses sign-in"},
		{name: "locked", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth("user_2ERIN0000000000000000000000", "sess_2ERINACTIVE0000000000000000", "", "")},
			code: CodeUserLocked, want: "the user is locked (too many failed verification attempts, or locked by an admin): unlocks in 30 min"},
		{name: "deprovisioned since the token", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth("user_2FRANK000000000000000000000", "sess_2FRANKACTIVE0000000000000000", "", ""),
			Token: &inspect.JWT{Payload: claims("iat", float64(at.Add(-2*time.Hour).Unix()))}},
			code: CodeUserDeprovisioned, want: "the user was deprovisioned by their enterprise directory: sign-in is refused (the user record changed 1 h 0 min after the token was minted)"},
		{name: "role changed", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(bob, "sess_2BOBACTIVE00000000000000000", acme, "org:admin")},
			code: CodeOrgRole, want: "the user's role in acme (org_2ACME0000000000000000000000) is now org:member (Member); the token still says org:admin: changes reach the session token at its next refresh"},
		{name: "permissions changed", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(bob, "sess_2BOBACTIVE00000000000000000", acme, "org:member", "org:invoices:read")},
			code: CodeOrgPermissions, want: "the token carries permissions the membership no longer has: org:invoices:read"},
		{name: "no longer a member", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(bob, "sess_2BOBACTIVE00000000000000000", "org_2INITECH0000000000000000000", "org:admin")},
			code: CodeOrgMembershipGone, want: "the user is no longer a member of initech (org_2INITECH0000000000000000000), which the token names as the active organization"},
		{name: "active organization changed", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(alice, "sess_2ALICEACTIVE000000000000000", "org_2GLOBEX00000000000000000000", "org:member")},
			code: CodeSessionOrg, want: "the session's active organization is now org_2ACME0000000000000000000000; the token says org_2GLOBEX00000000000000000000"},
		{name: "metadata copied into a claim", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(alice, "sess_2ALICEACTIVE000000000000000", acme, "org:admin"),
			Token: &inspect.JWT{Payload: claims("metadata", map[string]any{"role": "member", "plan": "pro"})}},
			code: CodeMetadataClaim, want: `the token's claim metadata.role is "member"; public_metadata.role is "admin" now`},
		{name: "metadata key as a claim", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(alice, "sess_2ALICEACTIVE000000000000000", acme, "org:admin"),
			Token: &inspect.JWT{Payload: claims("stripe_customer_id", "cus_OLD")}},
			code: CodeMetadataClaim, want: `the token's claim stripe_customer_id is "cus_OLD"; private_metadata.stripe_customer_id is "cus_FAKE1001" now`},
		{name: "another instance signed the token", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(alice, "sess_2ALICEACTIVE000000000000000", acme, "org:admin"),
			Token: &inspect.JWT{Header: map[string]any{"kid": "ins_2OTHERINSTANCE0000000000000"}, Payload: claims()}},
			code: CodeInstanceMismatch, want: "the token was signed by instance ins_2OTHERINSTANCE0000000000000, but the secret key belongs to ins_2FAKEINSTANCE00000000000000"},
		{name: "production token, development key", v: &inspect.Verdict{Status: inspect.SignedIn, Instance: inspect.Instance{Type: inspect.Production}, Auth: auth("user_2NOPE000000000000000000000", "sess_2NOPE000000000000000000000", "", "")},
			code: CodeKeyKindMismatch, want: "the secret key is a development key but the token is from a production instance: lookups answer 404"},
		{name: "not found", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth("user_2NOPE000000000000000000000", "sess_2NOPE000000000000000000000", "", "")},
			code: CodeNotFound, want: "session sess_2NOPE000000000000000000000 is not in this instance"},
		{name: "session of another user", v: &inspect.Verdict{Status: inspect.SignedIn, Auth: auth(bob, "sess_2ALICEACTIVE000000000000000", "", "")},
			code: CodeSessionUser, want: "the session sess_2ALICEACTIVE000000000000000 belongs to user_2ALICE000000000000000000000 at the Backend API, but the token's sub is user_2BOB00000000000000000000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lk := l.ForAuth(context.Background(), tc.v, at)
			found := false
			for _, d := range lk.Discrepancies {
				if tc.absent {
					t.Errorf("unexpected %s: %s", d.Code, d.Text)
				}
				if d.Code == tc.code && strings.Contains(d.Text, tc.want) {
					found = true
				}
			}
			if !tc.absent && !found {
				t.Errorf("no %s %q in %+v", tc.code, tc.want, lk.Discrepancies)
			}
			if tc.absent {
				mustContain(t, tc.name, text(lk.Sections()), tc.want)
			}
		})
	}
}

// TestReverification: each preset against the fva claim, as
// checkReverificationAuthorization of @clerk/shared decides it.
func TestReverification(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		fva  []int
		want map[string]*bool // strict_mfa, strict, moderate, lax
	}{
		{[]int{0, -1}, map[string]*bool{"strict_mfa": &yes, "strict": &yes, "moderate": &yes, "lax": &yes}},
		{[]int{30, -1}, map[string]*bool{"strict_mfa": &no, "strict": &no, "moderate": &yes, "lax": &yes}},
		{[]int{5, 5}, map[string]*bool{"strict_mfa": &yes, "strict": &yes, "moderate": &yes, "lax": &yes}},
		{[]int{5, 20}, map[string]*bool{"strict_mfa": &no, "strict": &no, "moderate": &yes, "lax": &yes}},
		{[]int{20, 5}, map[string]*bool{"strict_mfa": &no, "strict": &yes, "moderate": &yes, "lax": &yes}},
		{[]int{2000, 1500}, map[string]*bool{"strict_mfa": &no, "strict": &no, "moderate": &no, "lax": &no}},
		{[]int{10, 10}, map[string]*bool{"strict_mfa": &no, "strict": &no, "moderate": &yes, "lax": &yes}},
		{[]int{-1, -1}, map[string]*bool{"strict_mfa": nil, "strict": nil, "moderate": nil, "lax": nil}},
	} {
		got := reverify(tc.fva)
		if len(got) != 4 {
			t.Fatalf("fva %v: %d presets", tc.fva, len(got))
		}
		for _, r := range got {
			w := tc.want[r.Preset]
			if (w == nil) != (r.Passes == nil) || w != nil && *w != *r.Passes {
				t.Errorf("fva %v, %s: got %v, want %v", tc.fva, r.Preset, fmtBool(r.Passes), fmtBool(w))
			}
		}
	}
	if reverify(nil) != nil {
		t.Error("no fva, no checks")
	}
	_, srv := newFake(t)
	l := NewLooker(newTestClient(t, srv.URL, nil), 0)
	lk := l.ForAuth(context.Background(), &inspect.Verdict{Status: inspect.SignedIn, Auth: &inspect.Auth{IsAuthenticated: true,
		UserID: "user_2ALICE000000000000000000000", SessionID: "sess_2ALICEACTIVE000000000000000", FactorVerificationAge: []any{float64(30), float64(30)}}}, at)
	mustContain(t, "reverification", text(lk.Sections()), "Reverification (fva [30 30]",
		"strict_mfa     fails: the user is asked to verify again — both factors within 10 min: first factor 30 min ago, second factor 30 min ago",
		"moderate       passes — second factor within 60 min: second factor 30 min ago")
}

func fmtBool(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}

// TestRedacted: outputs that are not --reveal hide identifiers and private
// metadata values (user, organization, membership, and a private value
// quoted in a discrepancy), and keep ids, public metadata and roles.
func TestRedacted(t *testing.T) {
	_, srv := newFake(t)
	l := NewLooker(newTestClient(t, srv.URL, nil), 0)
	v := &inspect.Verdict{Status: inspect.SignedIn, Auth: &inspect.Auth{IsAuthenticated: true, UserID: "user_2ALICE000000000000000000000",
		SessionID: "sess_2ALICEACTIVE000000000000000", OrgID: "org_2ACME0000000000000000000000", OrgRole: "org:admin"},
		Token: &inspect.JWT{Payload: claims("stripe_customer_id", "cus_OLD")}}
	lk := l.ForAuth(context.Background(), v, at)
	secrets := []string{"alice@example.com", "alice.work@", "+15555550101", "crm-1001", "203.0.113.10", "cus_FAKE1001", "cus_OLD", "104857600000000000001",
		"acct_FAKEACME", "gina@example.com", "username       alice"}
	var full, hidden bytes.Buffer
	(&Printer{Reveal: true}).Write(&full, lk)
	(&Printer{}).Write(&hidden, lk)
	js, _ := json.Marshal(lk.Redacted())
	for _, s := range secrets {
		if !strings.Contains(full.String(), s) && s != "104857600000000000001" && s != "acct_FAKEACME" {
			t.Errorf("--reveal does not show %q", s)
		}
		if strings.Contains(hidden.String(), s) || strings.Contains(string(js), s) {
			t.Errorf("redacted output shows %q", s)
		}
	}
	mustContain(t, "redacted text", hidden.String(), "user_2ALICE000000000000000000000", `{"role":"admin","plan":"pro"}`, "@example.com — primary",
		`"stripe_customer_id":"‹redacted#`, "sess_2ALICEACTIVE000000000000000", "Admin (org:admin)")
	// The lookup itself is left as it was.
	if lk.User.PrimaryEmail() != "alice@example.com" {
		t.Error("Redacted changed the lookup")
	}
}

// TestPagination: lists are read page by page up to a sane limit, and the
// output says where they stopped.
func TestPagination(t *testing.T) {
	for _, tc := range []struct {
		n, calls int
		partial  bool
	}{{250, 3, false}, {100, 2, false}, {700, 5, true}} {
		var calls int
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/v1/sessions":
				calls++
				var off, lim int
				fmt.Sscan(r.URL.Query().Get("offset"), &off)
				fmt.Sscan(r.URL.Query().Get("limit"), &lim)
				var out []map[string]any
				for i := off; i < min(off+lim, tc.n); i++ {
					out = append(out, map[string]any{"object": "session", "id": fmt.Sprintf("sess_%04d", i), "user_id": "user_1", "status": "ended"})
				}
				if out == nil {
					out = []map[string]any{}
				}
				_ = json.NewEncoder(w).Encode(out)
			case "/v1/users/user_1":
				_, _ = w.Write([]byte(`{"object":"user","id":"user_1"}`))
			case "/v1/users/user_1/organization_memberships":
				_, _ = w.Write([]byte(`{"data":[],"total_count":0}`))
			default:
				w.WriteHeader(404)
				_, _ = w.Write([]byte(`{"errors":[{"code":"resource_not_found","message":"not found"}]}`))
			}
		}))
		l := NewLooker(newTestClient(t, srv.URL, nil), 0)
		lk := l.ForUser(context.Background(), "user_1", "", at)
		srv.Close()
		want := min(tc.n, 500)
		if len(lk.Sessions) != want || calls != tc.calls {
			t.Errorf("%d sessions: read %d in %d calls, want %d in %d", tc.n, len(lk.Sessions), calls, want, tc.calls)
		}
		said := strings.Contains(text(lk.Sections()), "sessions: stopped after the newest 500; the user has more")
		if said != tc.partial {
			t.Errorf("%d sessions: stop noted %v, want %v", tc.n, said, tc.partial)
		}
	}
}

// TestPrinter: in a run's text, a user's card shows once (later requests
// get the token's session, discrepancies and reverification), and each
// kind of failure once.
func TestPrinter(t *testing.T) {
	f, srv := newFake(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/v1/sessions/") {
			clerkError(w, 503, "service_unavailable", "down")
			return true
		}
		return false
	})
	l := NewLooker(newTestClient(t, srv.URL, nil), 0)
	p := &Printer{Reveal: true}
	var out bytes.Buffer
	for i := 0; i < 5; i++ {
		v := &inspect.Verdict{Status: inspect.SignedIn, Auth: &inspect.Auth{IsAuthenticated: true, UserID: "user_2ALICE000000000000000000000",
			SessionID: fmt.Sprintf("sess_%d", i)}}
		p.Write(&out, l.ForAuth(context.Background(), v, at))
	}
	s := out.String()
	if n := strings.Count(s, "User user_2ALICE000000000000000000000 — Alice Anders"); n != 1 {
		t.Errorf("the card is shown %d times", n)
	}
	if n := strings.Count(s, "HTTP 503"); n != 1 {
		t.Errorf("the failure is shown %d times:\n%s", n, s)
	}
	if n := strings.Count(s, "  Backend API: user_2ALICE000000000000000000000 Alice Anders <alice@example.com> [MFA]"); n != 5 {
		t.Errorf("%d summary lines, want 5:\n%s", n, s)
	}
}

// TestEngineErrorWraps: a transport failure reaches the engine as
// ErrUnreachable and keeps the client's error for callers that ask.
func TestEngineErrorWraps(t *testing.T) {
	err := engineError(&Error{Path: "/v1/jwks", Message: "no answer", Transport: true, Timeout: true})
	var e *Error
	if !errors.Is(err, inspect.ErrUnreachable) || !errors.As(err, &e) || !e.Timeout {
		t.Errorf("engineError(timeout) = %v: Is(ErrUnreachable) %v, As(*Error) %v", err, errors.Is(err, inspect.ErrUnreachable), errors.As(err, &e))
	}
	var ae *inspect.APIError
	if err := engineError(&Error{Path: "/v1/jwks", Status: 401, Code: "authentication_invalid", Message: "bad key"}); !errors.As(err, &ae) || ae.Status != 401 {
		t.Errorf("engineError(401) = %v", err)
	}
}
