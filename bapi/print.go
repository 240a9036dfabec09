package bapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"clerkscope/inspect"
)

// PrintLookup prints one record by id: user_, sess_, org_ (or a slug),
// client_. With raw, the Backend API's JSON is printed as it came, its
// control characters as \u escapes. Names and emails are what users
// typed: text shows control characters escaped (inspect.Sanitize).
func PrintLookup(ctx context.Context, c *Client, id string, raw bool, w io.Writer) error {
	sw := inspect.NewSanitizer(w)
	if raw {
		sw = inspect.NewJSONSanitizer(w)
	}
	defer sw.Close()
	w = sw
	id = strings.TrimSpace(id)
	if id == "" {
		return fmt.Errorf("empty id")
	}
	var rec json.RawMessage
	var err error
	var text func()
	switch {
	case strings.HasPrefix(id, "user_"):
		var u *User
		u, err = c.User(ctx, id)
		if err == nil {
			rec = u.Raw
			text = func() {
				fmt.Fprintf(w, "User %s\n  name:      %s\n  email:     %s\n", u.ID, orDash(u.Name()), orDash(u.PrimaryEmail()))
				fmt.Fprintf(w, "  banned:    %v\n  locked:    %v\n  2FA:       %v (TOTP %v)\n  password:  %v\n", u.Banned, u.Locked, u.TwoFactorEnabled, u.TOTPEnabled, u.PasswordEnabled)
				fmt.Fprintf(w, "  last sign-in: %s\n  created:      %s\n", ts(u.LastSignInAt.Time), ts(u.CreatedAt.Time))
				for _, a := range u.ExternalAccounts {
					fmt.Fprintf(w, "  account:   %s %s\n", a.Provider, a.EmailAddress)
				}
				if ms, err := c.UserMemberships(ctx, u.ID); err == nil {
					for _, m := range ms {
						fmt.Fprintf(w, "  member of: %s (%s) as %s\n", m.Organization.Slug, m.Organization.ID, m.Role)
					}
				} else {
					fmt.Fprintf(w, "  memberships: %v\n", err)
				}
			}
		}
	case strings.HasPrefix(id, "sess_"):
		var s *Session
		s, err = c.Session(ctx, id)
		if err == nil {
			rec = s.Raw
			text = func() {
				fmt.Fprintf(w, "Session %s\n  status:      %s\n  user:        %s\n  client:      %s\n", s.ID, s.Status, s.UserID, s.ClientID)
				if s.LastActiveOrganizationID != nil {
					fmt.Fprintf(w, "  active org:  %s\n", *s.LastActiveOrganizationID)
				}
				fmt.Fprintf(w, "  last active: %s\n  expires:     %s\n  abandons:    %s\n", ts(s.LastActiveAt.Time), ts(s.ExpireAt.Time), ts(s.AbandonAt.Time))
				if len(s.Actor) > 0 && string(s.Actor) != "null" {
					fmt.Fprintf(w, "  actor:       %s (impersonation)\n", s.Actor)
				}
				for _, t := range s.Tasks {
					fmt.Fprintf(w, "  task:        %s\n", t.Key)
				}
				if a := s.LatestActivity; a != nil {
					fmt.Fprintf(w, "  device:      %s %s %s, %s %s\n", a.BrowserName, a.BrowserVersion, a.DeviceType, a.City, a.Country)
				}
			}
		}
	case strings.HasPrefix(id, "client_"):
		var r *ClientRecord
		r, err = c.Client(ctx, id)
		if err == nil {
			rec = r.Raw
			text = func() {
				fmt.Fprintf(w, "Client %s\n  updated: %s\n", r.ID, ts(r.UpdatedAt.Time))
				for _, s := range r.Sessions {
					fmt.Fprintf(w, "  session: %s %s (user %s)\n", s.ID, s.Status, s.UserID)
				}
			}
		}
	default:
		var o *Organization
		o, err = c.Organization(ctx, id)
		if err == nil {
			rec = o.Raw
			text = func() {
				fmt.Fprintf(w, "Organization %s\n  name: %s\n  slug: %s\n", o.ID, o.Name, o.Slug)
				if o.MembersCount != nil {
					fmt.Fprintf(w, "  members: %d (max %d)\n", *o.MembersCount, o.MaxAllowedMemberships)
				}
				if ms, err := c.OrganizationMemberships(ctx, o.ID, ""); err == nil {
					for _, m := range ms {
						fmt.Fprintf(w, "  member: %s %s as %s\n", m.PublicUserData.UserID, m.PublicUserData.Identifier, m.Role)
					}
				}
			}
		}
	}
	if err != nil {
		return err
	}
	if raw {
		var buf bytes.Buffer
		if json.Indent(&buf, rec, "", "  ") != nil {
			buf.Write(rec)
		}
		buf.WriteByte('\n')
		_, err := w.Write(buf.Bytes())
		return err
	}
	text()
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
