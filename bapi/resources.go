package bapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"clerkscope/inspect"
)

// Millis is a Backend API timestamp (unix milliseconds) as a time.
type Millis struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler; null stays zero.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var n *float64
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	if n != nil {
		m.Time = time.UnixMilli(int64(*n)).UTC()
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (m Millis) MarshalJSON() ([]byte, error) {
	if m.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(m.Time.Format(time.RFC3339))
}

// Session is a Backend API session.
type Session struct {
	ID                       string          `json:"id"`
	UserID                   string          `json:"user_id"`
	ClientID                 string          `json:"client_id"`
	Status                   string          `json:"status"`
	LastActiveOrganizationID *string         `json:"last_active_organization_id"`
	Actor                    json.RawMessage `json:"actor"`
	LastActiveAt             Millis          `json:"last_active_at"`
	ExpireAt                 Millis          `json:"expire_at"`
	AbandonAt                Millis          `json:"abandon_at"`
	CreatedAt                Millis          `json:"created_at"`
	LatestActivity           *struct {
		BrowserName    string `json:"browser_name"`
		BrowserVersion string `json:"browser_version"`
		DeviceType     string `json:"device_type"`
		IsMobile       bool   `json:"is_mobile"`
		IPAddress      string `json:"ip_address"`
		City           string `json:"city"`
		Country        string `json:"country"`
	} `json:"latest_activity"`
	Tasks []struct {
		Key string `json:"key"`
	} `json:"tasks"`
	Raw json.RawMessage `json:"-"`
}

// EmailAddress is one of a user's addresses.
type EmailAddress struct {
	ID           string `json:"id"`
	EmailAddress string `json:"email_address"`
	Verification *struct {
		Status string `json:"status"`
	} `json:"verification"`
}

// User is a Backend API user.
type User struct {
	ID                      string         `json:"id"`
	FirstName               *string        `json:"first_name"`
	LastName                *string        `json:"last_name"`
	Username                *string        `json:"username"`
	ExternalID              *string        `json:"external_id"`
	PrimaryEmailAddressID   *string        `json:"primary_email_address_id"`
	EmailAddresses          []EmailAddress `json:"email_addresses"`
	Banned                  bool           `json:"banned"`
	Locked                  bool           `json:"locked"`
	LockoutExpiresInSeconds *int64         `json:"lockout_expires_in_seconds"`
	TwoFactorEnabled        bool           `json:"two_factor_enabled"`
	TOTPEnabled             bool           `json:"totp_enabled"`
	PasswordEnabled         bool           `json:"password_enabled"`
	LastSignInAt            Millis         `json:"last_sign_in_at"`
	LastActiveAt            Millis         `json:"last_active_at"`
	CreatedAt               Millis         `json:"created_at"`
	ExternalAccounts        []struct {
		Provider     string `json:"provider"`
		EmailAddress string `json:"email_address"`
	} `json:"external_accounts"`
	Raw json.RawMessage `json:"-"`
}

// Name is the user's display name.
func (u *User) Name() string {
	var parts []string
	if u.FirstName != nil && *u.FirstName != "" {
		parts = append(parts, *u.FirstName)
	}
	if u.LastName != nil && *u.LastName != "" {
		parts = append(parts, *u.LastName)
	}
	if len(parts) == 0 && u.Username != nil {
		return *u.Username
	}
	return strings.Join(parts, " ")
}

// PrimaryEmail resolves primary_email_address_id.
func (u *User) PrimaryEmail() string {
	if u.PrimaryEmailAddressID == nil {
		return ""
	}
	for _, e := range u.EmailAddresses {
		if e.ID == *u.PrimaryEmailAddressID {
			return e.EmailAddress
		}
	}
	return ""
}

// Organization is a Backend API organization.
type Organization struct {
	ID                    string          `json:"id"`
	Name                  string          `json:"name"`
	Slug                  string          `json:"slug"`
	MaxAllowedMemberships int             `json:"max_allowed_memberships"`
	MembersCount          *int            `json:"members_count"`
	CreatedAt             Millis          `json:"created_at"`
	Raw                   json.RawMessage `json:"-"`
}

// Membership is an organization membership.
type Membership struct {
	ID             string       `json:"id"`
	Role           string       `json:"role"`
	RoleName       string       `json:"role_name"`
	Permissions    []string     `json:"permissions"`
	Organization   Organization `json:"organization"`
	PublicUserData struct {
		UserID     string `json:"user_id"`
		Identifier string `json:"identifier"`
	} `json:"public_user_data"`
	CreatedAt Millis `json:"created_at"`
}

// ClientRecord is a Backend API client (a browser or device).
type ClientRecord struct {
	ID                         string          `json:"id"`
	SessionIDs                 []string        `json:"session_ids"`
	Sessions                   []Session       `json:"sessions"`
	LastActiveSessionID        *string         `json:"last_active_session_id"`
	LastAuthenticationStrategy *string         `json:"last_authentication_strategy"`
	UpdatedAt                  Millis          `json:"updated_at"`
	Raw                        json.RawMessage `json:"-"`
}

// Instance is the Backend API instance.
type Instance struct {
	ID              string          `json:"id"`
	EnvironmentType string          `json:"environment_type"`
	AllowedOrigins  []string        `json:"allowed_origins"`
	Raw             json.RawMessage `json:"-"`
}

func seg(id string) string { return url.PathEscape(id) }

// Session is GET /v1/sessions/{id}.
func (c *Client) Session(ctx context.Context, id string) (*Session, error) {
	var s Session
	raw, err := c.get(ctx, "/sessions/{id}", "/sessions/"+seg(id), nil, &s)
	if err != nil {
		return nil, err
	}
	s.Raw = raw
	return &s, nil
}

// UserSessions is GET /v1/sessions?user_id=….
func (c *Client) UserSessions(ctx context.Context, userID string) ([]Session, error) {
	var s []Session
	_, err := c.get(ctx, "/sessions", "/sessions", url.Values{"user_id": {userID}, "limit": {"50"}}, &s)
	return s, err
}

// User is GET /v1/users/{id}.
func (c *Client) User(ctx context.Context, id string) (*User, error) {
	var u User
	raw, err := c.get(ctx, "/users/{id}", "/users/"+seg(id), nil, &u)
	if err != nil {
		return nil, err
	}
	u.Raw = raw
	return &u, nil
}

type page[T any] struct {
	Data       []T `json:"data"`
	TotalCount int `json:"total_count"`
}

// UserMemberships is GET /v1/users/{id}/organization_memberships (all pages).
func (c *Client) UserMemberships(ctx context.Context, userID string) ([]Membership, error) {
	return pages[Membership](ctx, c, "/users/{id}/organization_memberships", "/users/"+seg(userID)+"/organization_memberships", url.Values{})
}

// OrganizationMemberships is GET /v1/organizations/{id}/memberships,
// optionally for one user.
func (c *Client) OrganizationMemberships(ctx context.Context, orgIDOrSlug, userID string) ([]Membership, error) {
	q := url.Values{}
	if userID != "" {
		q.Set("user_id", userID)
	}
	return pages[Membership](ctx, c, "/organizations/{id}/memberships", "/organizations/"+seg(orgIDOrSlug)+"/memberships", q)
}

func pages[T any](ctx context.Context, c *Client, ep, path string, q url.Values) ([]T, error) {
	var all []T
	const limit = 100
	for offset := 0; ; offset += limit {
		q.Set("limit", fmt.Sprint(limit))
		q.Set("offset", fmt.Sprint(offset))
		var p page[T]
		if _, err := c.get(ctx, ep, path, q, &p); err != nil {
			return all, err
		}
		all = append(all, p.Data...)
		if len(p.Data) == 0 || offset+len(p.Data) >= p.TotalCount || offset > 10000 {
			return all, nil
		}
	}
}

// Organization is GET /v1/organizations/{id or slug}.
func (c *Client) Organization(ctx context.Context, idOrSlug string) (*Organization, error) {
	var o Organization
	raw, err := c.get(ctx, "/organizations/{id}", "/organizations/"+seg(idOrSlug), url.Values{"include_members_count": {"true"}}, &o)
	if err != nil {
		return nil, err
	}
	o.Raw = raw
	return &o, nil
}

// Client is GET /v1/clients/{id}.
func (c *Client) Client(ctx context.Context, id string) (*ClientRecord, error) {
	var r ClientRecord
	raw, err := c.get(ctx, "/clients/{id}", "/clients/"+seg(id), nil, &r)
	if err != nil {
		return nil, err
	}
	r.Raw = raw
	return &r, nil
}

// Instance is GET /v1/instance.
func (c *Client) Instance(ctx context.Context) (*Instance, error) {
	var i Instance
	raw, err := c.get(ctx, "/instance", "/instance", nil, &i)
	if err != nil {
		return nil, err
	}
	i.Raw = raw
	return &i, nil
}

// JWKS is GET /v1/jwks.
func (c *Client) JWKS(ctx context.Context) (*inspect.JWKS, error) {
	raw, err := c.get(ctx, "/jwks", "/jwks", nil, nil)
	if err != nil {
		return nil, err
	}
	return inspect.ParseJWKS(raw, "the Backend API (/v1/jwks)")
}

// Raw fetches any read-only path and returns its JSON (lookup --json).
func (c *Client) Raw(ctx context.Context, path string) (json.RawMessage, error) {
	return c.get(ctx, path, path, nil, nil)
}
