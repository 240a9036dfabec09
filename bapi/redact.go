package bapi

import (
	"encoding/json"
	"strings"

	"github.com/clerkscope/clerkscope/inspect"
)

// Redaction of a lookup keeps a report shareable: the identifiers a
// person signs in with (emails, phone numbers, usernames, wallets,
// external ids, provider ids), the IP addresses of their sessions and the
// values of private metadata become short hashes (equal values stay
// recognisably equal); ids, names, statuses, roles, times and public
// metadata stay as they are.

// hidden is a redacted value: its kind and a short hash.
func hidden(kind, v string) string {
	if v == "" {
		return ""
	}
	return "‹" + kind + "#" + inspect.ShortHash(v) + "›"
}

// hiddenEmail keeps the domain (which company) and hides the mailbox.
func hiddenEmail(v string) string {
	at := strings.LastIndexByte(v, '@')
	if at < 0 {
		return hidden("email", v)
	}
	return hidden("email", v) + v[at:]
}

func hiddenPtr(kind string, p *string) *string {
	if p == nil {
		return nil
	}
	s := hidden(kind, *p)
	return &s
}

// hiddenValues keeps a metadata object's keys and hides every value.
func hiddenValues(m Metadata) Metadata {
	obj := objectKeys(m)
	if obj == nil {
		if len(m) == 0 {
			return m
		}
		b, _ := json.Marshal(hidden("redacted", string(m)))
		return b
	}
	out := map[string]string{}
	for k, v := range obj {
		out[k] = hidden("redacted", string(v))
	}
	b, _ := json.Marshal(out)
	return b
}

// Redacted is a copy of the lookup with identifiers and private metadata
// hidden, for every output that is not --reveal.
func (lk *Lookup) Redacted() *Lookup {
	if lk == nil {
		return nil
	}
	r := *lk
	if lk.User != nil {
		r.User = redactUser(lk.User)
	}
	if lk.Session != nil {
		s := redactSession(*lk.Session)
		r.Session = &s
	}
	r.Sessions = make([]Session, len(lk.Sessions))
	for i, s := range lk.Sessions {
		r.Sessions[i] = redactSession(s)
	}
	if lk.Sessions == nil {
		r.Sessions = nil
	}
	if lk.Organization != nil {
		o := redactOrg(*lk.Organization)
		r.Organization = &o
	}
	if lk.Membership != nil {
		m := redactMembership(*lk.Membership)
		r.Membership = &m
	}
	r.Memberships = nil
	for _, om := range lk.Memberships {
		cp := om
		if om.Membership != nil {
			m := redactMembership(*om.Membership)
			cp.Membership = &m
			if lk.Membership == om.Membership {
				r.Membership = cp.Membership
			}
		}
		cp.Invitations = nil
		for _, inv := range om.Invitations {
			inv.EmailAddress = hiddenEmail(inv.EmailAddress)
			cp.Invitations = append(cp.Invitations, inv)
		}
		r.Memberships = append(r.Memberships, cp)
	}
	r.Discrepancies = nil
	for _, d := range lk.Discrepancies {
		for _, s := range d.secrets {
			if s != "" {
				d.Text = strings.ReplaceAll(d.Text, s, hidden("redacted", s))
			}
		}
		d.secrets = nil
		r.Discrepancies = append(r.Discrepancies, d)
	}
	r.Errors = nil
	for _, e := range lk.Errors {
		r.Errors = append(r.Errors, inspect.RedactText(e))
	}
	return &r
}

func redactUser(u *User) *User {
	c := *u
	c.Raw = nil
	c.Username = hiddenPtr("username", u.Username)
	c.ExternalID = hiddenPtr("external-id", u.ExternalID)
	c.EmailAddresses = nil
	for _, e := range u.EmailAddresses {
		e.EmailAddress = hiddenEmail(e.EmailAddress)
		c.EmailAddresses = append(c.EmailAddresses, e)
	}
	c.PhoneNumbers = nil
	for _, p := range u.PhoneNumbers {
		p.PhoneNumber = hidden("phone", p.PhoneNumber)
		c.PhoneNumbers = append(c.PhoneNumbers, p)
	}
	c.Web3Wallets = nil
	for _, w := range u.Web3Wallets {
		w.Web3Wallet = hidden("wallet", w.Web3Wallet)
		c.Web3Wallets = append(c.Web3Wallets, w)
	}
	c.ExternalAccounts = nil
	for _, a := range u.ExternalAccounts {
		a.EmailAddress = hiddenEmail(a.EmailAddress)
		a.ProviderUserID = hidden("provider-id", a.ProviderUserID)
		c.ExternalAccounts = append(c.ExternalAccounts, a)
	}
	c.PrivateMetadata = hiddenValues(u.PrivateMetadata)
	return &c
}

func redactSession(s Session) Session {
	s.Raw = nil
	if a := s.LatestActivity; a != nil {
		cp := *a
		cp.IPAddress = hidden("ip", a.IPAddress)
		s.LatestActivity = &cp
	}
	return s
}

func redactOrg(o Organization) Organization {
	o.Raw = nil
	o.PrivateMetadata = hiddenValues(o.PrivateMetadata)
	return o
}

func redactMembership(m Membership) Membership {
	m.PrivateMetadata = hiddenValues(m.PrivateMetadata)
	m.Organization = redactOrg(m.Organization)
	if strings.Contains(m.PublicUserData.Identifier, "@") {
		m.PublicUserData.Identifier = hiddenEmail(m.PublicUserData.Identifier)
	} else {
		m.PublicUserData.Identifier = hidden("identifier", m.PublicUserData.Identifier)
	}
	return m
}
