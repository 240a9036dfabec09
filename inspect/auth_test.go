package inspect

import "testing"

// TestAuthAccessors checks the typed accessors on what tokens put in an
// auth object: strings, a number where a string belongs, null, and nil.
func TestAuthAccessors(t *testing.T) {
	tests := []struct {
		name                           string
		auth                           *Auth
		user, session, org, slug, role string
		hasOrg, pending                bool
		subject, id                    string
	}{
		{name: "nil"},
		{name: "signed out", auth: signedOutAuth(nil)},
		{name: "pending", auth: signedOutAuth(sessionStatusPending), pending: true},
		{
			name: "v1 claims",
			auth: signedInAuth(map[string]any{"sub": "user_1", "sid": "sess_1", "org_id": "org_1", "org_slug": "acme", "org_role": "org:admin"}),
			user: "user_1", session: "sess_1", org: "org_1", slug: "acme", role: "org:admin", hasOrg: true,
		},
		{
			name: "numbers and null",
			auth: signedInAuth(map[string]any{"sub": "user_1", "sid": nil, "org_id": float64(42), "org_slug": false}),
			user: "user_1", org: "42", slug: "false", hasOrg: true,
		},
		{name: "org id 0 is no organization", auth: &Auth{OrgID: float64(0)}, org: "0"},
		{
			name:    "machine",
			auth:    &Auth{IsAuthenticated: true, TokenType: TokenTypeM2M, ID: "m2m_1", Subject: "mch_1"},
			subject: "mch_1", id: "m2m_1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.auth
			got := []any{a.GetUserID(), a.GetSessionID(), a.GetOrgID(), a.GetOrgSlug(), a.GetOrgRole(), a.HasOrg(), a.Pending(), a.GetSubject(), a.GetID()}
			want := []any{tc.user, tc.session, tc.org, tc.slug, tc.role, tc.hasOrg, tc.pending, tc.subject, tc.id}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("accessor %d = %#v, want %#v", i, got[i], want[i])
				}
			}
		})
	}
}
