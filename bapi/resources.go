package bapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// The records below are the Backend API's (version 2026-05-12, the
// shared OpenAPI spec), with the fields support reads. Their JSON keeps
// the API's names; times are RFC 3339 instead of unix milliseconds.

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

// Metadata is one metadata object as the API holds it (raw JSON).
type Metadata = json.RawMessage

// Verification is the verification of an identifier.
type Verification struct {
	Status   string `json:"status"`
	Strategy string `json:"strategy,omitempty"`
}

// LinkedTo is an identification an identifier is linked to (an OAuth
// account for an email it came with).
type LinkedTo struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// EmailAddress is one of a user's addresses.
type EmailAddress struct {
	ID           string        `json:"id"`
	EmailAddress string        `json:"email_address"`
	Reserved     bool          `json:"reserved,omitempty"`
	Verification *Verification `json:"verification"`
	LinkedTo     []LinkedTo    `json:"linked_to,omitempty"`
}

// PhoneNumber is one of a user's phone numbers.
type PhoneNumber struct {
	ID                      string        `json:"id"`
	PhoneNumber             string        `json:"phone_number"`
	ReservedForSecondFactor bool          `json:"reserved_for_second_factor"`
	DefaultSecondFactor     bool          `json:"default_second_factor"`
	Verification            *Verification `json:"verification"`
}

// Web3Wallet is one of a user's wallets.
type Web3Wallet struct {
	ID           string        `json:"id"`
	Web3Wallet   string        `json:"web3_wallet"`
	Verification *Verification `json:"verification"`
}

// Passkey is one of a user's passkeys.
type Passkey struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	LastUsedAt   Millis        `json:"last_used_at"`
	Verification *Verification `json:"verification"`
}

// ExternalAccount is an OAuth account linked to the user.
type ExternalAccount struct {
	ID             string        `json:"id"`
	Provider       string        `json:"provider"`
	EmailAddress   string        `json:"email_address"`
	ProviderUserID string        `json:"provider_user_id,omitempty"`
	Verification   *Verification `json:"verification,omitempty"`
}

// User is a Backend API user.
type User struct {
	ID                            string            `json:"id"`
	FirstName                     *string           `json:"first_name"`
	LastName                      *string           `json:"last_name"`
	Username                      *string           `json:"username"`
	ExternalID                    *string           `json:"external_id"`
	PrimaryEmailAddressID         *string           `json:"primary_email_address_id"`
	PrimaryPhoneNumberID          *string           `json:"primary_phone_number_id"`
	PrimaryWeb3WalletID           *string           `json:"primary_web3_wallet_id"`
	EmailAddresses                []EmailAddress    `json:"email_addresses"`
	PhoneNumbers                  []PhoneNumber     `json:"phone_numbers"`
	Web3Wallets                   []Web3Wallet      `json:"web3_wallets"`
	Passkeys                      []Passkey         `json:"passkeys"`
	ExternalAccounts              []ExternalAccount `json:"external_accounts"`
	PublicMetadata                Metadata          `json:"public_metadata,omitempty"`
	PrivateMetadata               Metadata          `json:"private_metadata,omitempty"`
	UnsafeMetadata                Metadata          `json:"unsafe_metadata,omitempty"`
	PasswordEnabled               bool              `json:"password_enabled"`
	PasswordLastUpdatedAt         Millis            `json:"password_last_updated_at"`
	TwoFactorEnabled              bool              `json:"two_factor_enabled"`
	TOTPEnabled                   bool              `json:"totp_enabled"`
	BackupCodeEnabled             bool              `json:"backup_code_enabled"`
	MFAEnabledAt                  Millis            `json:"mfa_enabled_at"`
	MFADisabledAt                 Millis            `json:"mfa_disabled_at"`
	Banned                        bool              `json:"banned"`
	Locked                        bool              `json:"locked"`
	Deprovisioned                 bool              `json:"deprovisioned"`
	LockoutExpiresInSeconds       *int64            `json:"lockout_expires_in_seconds"`
	VerificationAttemptsRemaining *int64            `json:"verification_attempts_remaining"`
	LastSignInAt                  Millis            `json:"last_sign_in_at"`
	LastActiveAt                  Millis            `json:"last_active_at"`
	CreatedAt                     Millis            `json:"created_at"`
	UpdatedAt                     Millis            `json:"updated_at"`
	Raw                           json.RawMessage   `json:"-"`
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

// SessionActivity is where and on what a session was last used.
type SessionActivity struct {
	BrowserName    string `json:"browser_name"`
	BrowserVersion string `json:"browser_version"`
	DeviceType     string `json:"device_type"`
	IsMobile       bool   `json:"is_mobile"`
	IPAddress      string `json:"ip_address"`
	City           string `json:"city"`
	Country        string `json:"country"`
}

// Actor is who acts for the user in an impersonated session.
type Actor struct {
	Sub string `json:"sub"`
	Iss string `json:"iss,omitempty"`
}

// SessionTask is a task a pending session has left (choose-organization…).
type SessionTask struct {
	Key string `json:"key"`
}

// Session is a Backend API session.
type Session struct {
	ID                       string           `json:"id"`
	UserID                   string           `json:"user_id"`
	ClientID                 string           `json:"client_id"`
	Status                   string           `json:"status"`
	LastActiveOrganizationID *string          `json:"last_active_organization_id"`
	Actor                    *Actor           `json:"actor"`
	LastActiveAt             Millis           `json:"last_active_at"`
	ExpireAt                 Millis           `json:"expire_at"`
	AbandonAt                Millis           `json:"abandon_at"`
	CreatedAt                Millis           `json:"created_at"`
	UpdatedAt                Millis           `json:"updated_at"`
	LatestActivity           *SessionActivity `json:"latest_activity"`
	Tasks                    []SessionTask    `json:"tasks"`
	Raw                      json.RawMessage  `json:"-"`
}

// Organization is a Backend API organization.
type Organization struct {
	ID                    string          `json:"id"`
	Name                  string          `json:"name"`
	Slug                  string          `json:"slug"`
	MaxAllowedMemberships int             `json:"max_allowed_memberships"`
	MembersCount          *int            `json:"members_count"`
	PendingInvitations    *int            `json:"pending_invitations_count"`
	PublicMetadata        Metadata        `json:"public_metadata,omitempty"`
	PrivateMetadata       Metadata        `json:"private_metadata,omitempty"`
	CreatedBy             string          `json:"created_by,omitempty"`
	CreatedAt             Millis          `json:"created_at"`
	Raw                   json.RawMessage `json:"-"`
}

// PublicUserData is the member side of a membership.
type PublicUserData struct {
	UserID     string  `json:"user_id"`
	Identifier string  `json:"identifier"`
	FirstName  *string `json:"first_name,omitempty"`
	LastName   *string `json:"last_name,omitempty"`
}

// Membership is an organization membership.
type Membership struct {
	ID              string         `json:"id"`
	Role            string         `json:"role"`
	RoleName        string         `json:"role_name"`
	Permissions     []string       `json:"permissions"`
	PublicMetadata  Metadata       `json:"public_metadata,omitempty"`
	PrivateMetadata Metadata       `json:"private_metadata,omitempty"`
	Organization    Organization   `json:"organization"`
	PublicUserData  PublicUserData `json:"public_user_data"`
	CreatedAt       Millis         `json:"created_at"`
}

// Invitation is an organization invitation.
type Invitation struct {
	ID             string `json:"id"`
	EmailAddress   string `json:"email_address"`
	Role           string `json:"role"`
	Status         string `json:"status"`
	OrganizationID string `json:"organization_id"`
	ExpiresAt      Millis `json:"expires_at"`
	CreatedAt      Millis `json:"created_at"`
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

// Page limits: lists are read a page at a time, up to a sane number of
// records; a list cut there says so (Partial).
const (
	pageSize      = 100
	maxListed     = 500
	maxUserSearch = 20
)

// Listed is a list read from the API, and whether it stopped before the end.
type Listed[T any] struct {
	Items []T
	// Partial is set when the list stopped at the limit: there are more.
	Partial bool
	// Total is the API's total_count when it gave one.
	Total int
}

// UserSessions is GET /v1/sessions?user_id=…, every page up to 500
// sessions (newest first, as the API sorts them). The API answers a bare
// array (or {data, total_count} with paginated=true); both are read.
func (c *Client) UserSessions(ctx context.Context, userID string) (Listed[Session], error) {
	var out Listed[Session]
	for offset := 0; ; offset += pageSize {
		q := url.Values{"user_id": {userID}, "limit": {fmt.Sprint(pageSize)}, "offset": {fmt.Sprint(offset)}}
		body, err := c.get(ctx, "/sessions", "/sessions", q, nil)
		if err != nil {
			return out, err
		}
		items, total, err := decodeList[Session](body)
		if err != nil {
			return out, &Error{Path: "/sessions", Endpoint: "GET /v1/sessions", Status: 200, Message: "the answer is not the JSON expected: " + err.Error(), Snippet: snippet(body)}
		}
		if raws, _, err := decodeList[json.RawMessage](body); err == nil && len(raws) == len(items) {
			for i := range items {
				items[i].Raw = raws[i]
			}
		}
		out.Items = append(out.Items, items...)
		out.Total = max(out.Total, total)
		if len(items) < pageSize {
			return out, nil
		}
		if len(out.Items) >= maxListed {
			out.Partial = true
			return out, nil
		}
	}
}

// decodeList reads a bare array or a {data, total_count} page.
func decodeList[T any](body []byte) ([]T, int, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var items []T
		err := json.Unmarshal(body, &items)
		return items, 0, err
	}
	var p page[T]
	err := json.Unmarshal(body, &p)
	return p.Data, p.TotalCount, err
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

// UserFilter is one way to find users with GET /v1/users.
type UserFilter string

// The filters of GET /v1/users a support engineer searches by.
const (
	ByEmail      UserFilter = "email_address"
	ByPhone      UserFilter = "phone_number"
	ByUsername   UserFilter = "username"
	ByExternalID UserFilter = "external_id"
	ByQuery      UserFilter = "query"
)

// FindUsers is GET /v1/users?<filter>=value: at most 20 users, newest
// first; Partial says there are more.
func (c *Client) FindUsers(ctx context.Context, by UserFilter, value string) (Listed[User], error) {
	q := url.Values{string(by): {value}, "limit": {fmt.Sprint(maxUserSearch + 1)}}
	var users []User
	if _, err := c.get(ctx, "/users", "/users", q, &users); err != nil {
		return Listed[User]{}, err
	}
	out := Listed[User]{Items: users}
	if len(users) > maxUserSearch {
		out.Items, out.Partial = users[:maxUserSearch], true
	}
	return out, nil
}

type page[T any] struct {
	Data       []T `json:"data"`
	TotalCount int `json:"total_count"`
}

// UserMemberships is GET /v1/users/{id}/organization_memberships (every
// page up to 500).
func (c *Client) UserMemberships(ctx context.Context, userID string) (Listed[Membership], error) {
	return pages[Membership](ctx, c, "/users/{id}/organization_memberships", "/users/"+seg(userID)+"/organization_memberships", url.Values{})
}

// OrganizationMemberships is GET /v1/organizations/{id}/memberships,
// optionally for one user.
func (c *Client) OrganizationMemberships(ctx context.Context, orgIDOrSlug, userID string) (Listed[Membership], error) {
	q := url.Values{}
	if userID != "" {
		q.Set("user_id", userID)
	}
	return pages[Membership](ctx, c, "/organizations/{id}/memberships", "/organizations/"+seg(orgIDOrSlug)+"/memberships", q)
}

// PendingInvitations is GET /v1/organizations/{id}/invitations?status=pending:
// the first ten, and the total.
func (c *Client) PendingInvitations(ctx context.Context, orgID string) (Listed[Invitation], error) {
	var p page[Invitation]
	q := url.Values{"status": {"pending"}, "limit": {"10"}}
	if _, err := c.get(ctx, "/organizations/{id}/invitations", "/organizations/"+seg(orgID)+"/invitations", q, &p); err != nil {
		return Listed[Invitation]{}, err
	}
	return Listed[Invitation]{Items: p.Data, Total: p.TotalCount, Partial: p.TotalCount > len(p.Data)}, nil
}

func pages[T any](ctx context.Context, c *Client, ep, path string, q url.Values) (Listed[T], error) {
	var out Listed[T]
	for offset := 0; ; offset += pageSize {
		q.Set("limit", fmt.Sprint(pageSize))
		q.Set("offset", fmt.Sprint(offset))
		var p page[T]
		if _, err := c.get(ctx, ep, path, q, &p); err != nil {
			return out, err
		}
		out.Items = append(out.Items, p.Data...)
		out.Total = p.TotalCount
		if len(p.Data) == 0 || offset+len(p.Data) >= p.TotalCount {
			return out, nil
		}
		if len(out.Items) >= maxListed {
			out.Partial = true
			return out, nil
		}
	}
}

// Organization is GET /v1/organizations/{id or slug}, with its member count.
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
