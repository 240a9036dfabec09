package bapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/words"
)

// A lookup is shown as sections of rows, built once here and rendered
// unchanged by the text output, the Markdown report and the dashboard.

// Level is how a row reads.
type Level int

// Row levels.
const (
	Plain Level = iota
	OK
	Warn
	Bad
	Muted
)

// Row is one line of a section: a label, its value, how it reads, and
// whether it is the token's own record (Mark), with indented lines under it.
type Row struct {
	Label string
	Value string
	Level Level
	Mark  bool
	Sub   []string
}

// Section is one titled block of a lookup.
type Section struct {
	Title string
	Rows  []Row
}

// clock formats times relative to the request (or, without a token, to now).
type clock struct {
	at      time.Time
	request bool
}

func (c clock) rel(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	s := t.UTC().Format(time.RFC3339)
	if c.at.IsZero() {
		return s
	}
	d := t.Sub(c.at)
	switch {
	case c.request && d <= 0:
		return s + " (" + inspect.Ago(d) + " before the request)"
	case c.request:
		return s + " (" + inspect.Ago(d) + " after the request)"
	case d <= 0:
		return s + " (" + inspect.Ago(d) + " ago)"
	}
	return s + " (in " + inspect.Ago(d) + ")"
}

// deadline says when a deadline falls: "expires in 6 days", "expired 3
// days before the request" (future and past are the verb's two forms).
func (c clock) deadline(future, past string, t time.Time) string {
	if t.IsZero() {
		return future + " -"
	}
	d := t.Sub(c.at)
	switch {
	case d >= 0:
		return future + " in " + inspect.Ago(d)
	case c.request:
		return past + " " + inspect.Ago(d) + " before the request"
	}
	return past + " " + inspect.Ago(d) + " ago"
}

// count is n and a noun, singular for one.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func on(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func verified(v *Verification) string {
	if v == nil || v.Status == "" {
		return "unverified"
	}
	s := v.Status
	if strings.HasPrefix(v.Strategy, "from_oauth_") {
		s += " (via " + strings.TrimPrefix(v.Strategy, "from_oauth_") + " OAuth)"
	} else if v.Strategy != "" {
		s += " (" + v.Strategy + ")"
	}
	return s
}

// compactJSON shows a metadata object on one line, cut at limit bytes.
func compactJSON(m Metadata, limit int) string {
	if len(bytes.TrimSpace(m)) == 0 {
		return "{}"
	}
	var b bytes.Buffer
	if json.Compact(&b, m) != nil {
		return string(m)
	}
	s := b.String()
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}

func bytesText(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}

// Sections is the lookup as shown, in order: what disagrees with the
// token first, then the user card, sessions, organizations,
// reverification, the instance, and what could not be read.
func (lk *Lookup) Sections() []Section {
	if lk == nil {
		return nil
	}
	c := clock{at: lk.At, request: lk.Token != nil}
	var out []Section
	add := func(s Section) {
		if len(s.Rows) > 0 {
			out = append(out, s)
		}
	}
	add(lk.discrepancySection())
	if u := lk.User; u != nil {
		out = append(out, userSections(u, c)...)
		add(lk.metadataSection())
	}
	add(lk.sessionSection(c))
	add(lk.orgSection(c))
	add(lk.reverificationSection())
	add(lk.instanceSection())
	var notes Section
	notes.Title = "Not shown"
	for _, n := range lk.Notes {
		notes.Rows = append(notes.Rows, Row{Label: "note", Value: n, Level: Muted})
	}
	for _, e := range lk.Errors {
		notes.Rows = append(notes.Rows, Row{Label: "error", Value: e, Level: Bad})
	}
	add(notes)
	return out
}

func (lk *Lookup) discrepancySection() Section {
	s := Section{Title: "Token vs Backend API"}
	for _, d := range lk.Discrepancies {
		lvl := Warn
		switch d.Severity {
		case "error":
			lvl = Bad
		case "info":
			lvl = Muted
		}
		r := Row{Label: d.Severity, Value: d.Text, Level: lvl}
		if d.Next != "" {
			r.Sub = []string{"next: " + d.Next}
		}
		s.Rows = append(s.Rows, r)
	}
	if lk.Token != nil && len(s.Rows) == 0 && lk.User != nil && lk.Session != nil {
		s.Rows = append(s.Rows, Row{Label: "agrees", Value: "the records agree with the token", Level: OK})
	}
	return s
}

func userSections(u *User, c clock) []Section {
	title := "User " + u.ID
	if n := u.Name(); n != "" {
		title += " — " + n
	}
	id := Section{Title: title}
	// Identifiers, primary first.
	emails := append([]EmailAddress(nil), u.EmailAddresses...)
	sort.SliceStable(emails, func(i, j int) bool {
		return emails[i].ID == deref(u.PrimaryEmailAddressID) && emails[j].ID != deref(u.PrimaryEmailAddressID)
	})
	for _, e := range emails {
		v := e.EmailAddress + " — "
		if e.ID == deref(u.PrimaryEmailAddressID) {
			v += "primary, "
		}
		v += verified(e.Verification)
		if e.Reserved {
			v += ", reserved"
		}
		id.Rows = append(id.Rows, Row{Label: "email", Value: v})
	}
	phones := append([]PhoneNumber(nil), u.PhoneNumbers...)
	sort.SliceStable(phones, func(i, j int) bool {
		return phones[i].ID == deref(u.PrimaryPhoneNumberID) && phones[j].ID != deref(u.PrimaryPhoneNumberID)
	})
	for _, p := range phones {
		v := p.PhoneNumber + " — "
		if p.ID == deref(u.PrimaryPhoneNumberID) {
			v += "primary, "
		}
		v += verified(p.Verification)
		if p.ReservedForSecondFactor {
			v += "; second factor"
			if p.DefaultSecondFactor {
				v += " (default)"
			}
		}
		id.Rows = append(id.Rows, Row{Label: "phone", Value: v})
	}
	for _, w := range u.Web3Wallets {
		v := w.Web3Wallet + " — "
		if w.ID == deref(u.PrimaryWeb3WalletID) {
			v += "primary, "
		}
		id.Rows = append(id.Rows, Row{Label: "web3 wallet", Value: v + verified(w.Verification)})
	}
	if u.Username != nil {
		id.Rows = append(id.Rows, Row{Label: "username", Value: *u.Username})
	}
	id.Rows = append(id.Rows, Row{Label: "external id", Value: words.Or(deref(u.ExternalID), "-")})
	for _, a := range u.ExternalAccounts {
		v := strings.TrimPrefix(a.Provider, "oauth_") + " account"
		if a.EmailAddress != "" {
			v += " " + a.EmailAddress
		}
		if a.Verification != nil {
			v += " — " + a.Verification.Status
		}
		id.Rows = append(id.Rows, Row{Label: "linked", Value: v})
	}
	id.Rows = append(id.Rows,
		Row{Label: "created", Value: c.rel(u.CreatedAt.Time)},
		Row{Label: "last sign-in", Value: c.rel(u.LastSignInAt.Time)},
		Row{Label: "last active", Value: dayPrecision(u.LastActiveAt.Time)},
	)

	mfa := Section{Title: "Sign-in and MFA"}
	pw := "not set"
	if u.PasswordEnabled {
		pw = "set"
		if !u.PasswordLastUpdatedAt.IsZero() {
			pw += ", last changed " + c.rel(u.PasswordLastUpdatedAt.Time)
		}
	}
	mfa.Rows = append(mfa.Rows, Row{Label: "password", Value: pw})
	m := "off"
	lvl := Plain
	switch {
	case u.TwoFactorEnabled && !u.MFAEnabledAt.IsZero():
		m, lvl = "on since "+c.rel(u.MFAEnabledAt.Time), OK
	case u.TwoFactorEnabled:
		m, lvl = "on", OK
	case !u.MFADisabledAt.IsZero():
		m, lvl = "off since "+c.rel(u.MFADisabledAt.Time)+" (turned off)", Warn
	}
	mfa.Rows = append(mfa.Rows, Row{Label: "MFA", Value: m, Level: lvl},
		Row{Label: "TOTP", Value: on(u.TOTPEnabled)},
		Row{Label: "backup codes", Value: on(u.BackupCodeEnabled)})
	var second []string
	for _, p := range u.PhoneNumbers {
		if p.ReservedForSecondFactor {
			s := p.PhoneNumber
			if p.DefaultSecondFactor {
				s += " (default)"
			}
			second = append(second, s)
		}
	}
	mfa.Rows = append(mfa.Rows, Row{Label: "SMS 2nd factor", Value: words.Or(strings.Join(second, ", "), "-")})
	if len(u.Passkeys) == 0 {
		mfa.Rows = append(mfa.Rows, Row{Label: "passkeys", Value: "none"})
	}
	for _, p := range u.Passkeys {
		mfa.Rows = append(mfa.Rows, Row{Label: "passkey", Value: words.Or(p.Name, "-") + ", last used " + c.rel(p.LastUsedAt.Time)})
	}

	lock := Section{Title: "Lockout and blocking"}
	lock.Rows = append(lock.Rows, Row{Label: "banned", Value: yes(u.Banned), Level: badIf(u.Banned)})
	l := "no"
	if u.Locked {
		l = "yes — the lockout never expires by itself"
		if u.LockoutExpiresInSeconds != nil {
			l = "yes — unlocks in " + inspect.Ago(time.Duration(*u.LockoutExpiresInSeconds)*time.Second)
		}
	}
	lock.Rows = append(lock.Rows, Row{Label: "locked", Value: l, Level: badIf(u.Locked)})
	att := "account lockout is not enabled"
	if n := u.VerificationAttemptsRemaining; n != nil {
		att = fmt.Sprintf("%d before lockout", *n)
	}
	attLvl := Plain
	if n := u.VerificationAttemptsRemaining; n != nil && *n == 0 {
		attLvl = Bad
	}
	lock.Rows = append(lock.Rows, Row{Label: "attempts left", Value: att, Level: attLvl},
		Row{Label: "deprovisioned", Value: yes(u.Deprovisioned), Level: badIf(u.Deprovisioned)})
	return []Section{id, mfa, lock}
}

// dayPrecision: last_active_at has day precision in the API.
func dayPrecision(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02") + " (day precision)"
}

func badIf(b bool) Level {
	if b {
		return Bad
	}
	return Plain
}

func (lk *Lookup) metadataSection() Section {
	s := Section{Title: "Metadata"}
	total := 0
	for _, info := range lk.Metadata {
		total += info.Bytes
		r := Row{Label: info.Kind, Value: fmt.Sprintf("%s, %s — read by %s; written by %s", bytesText(info.Bytes), count(info.Keys, "key"), info.ReadBy, info.WrittenBy)}
		if info.Warning != "" {
			r.Value += " — " + info.Warning
			r.Level = Warn
		}
		r.Sub = []string{compactJSON(lk.User.metadata(info.Kind), 400)}
		s.Rows = append(s.Rows, r)
	}
	if len(s.Rows) > 0 {
		s.Rows = append(s.Rows, Row{Label: "limits", Level: Muted,
			Value: fmt.Sprintf("%s in all; Clerk allows 8 KB, and advises under 1.2 KB for what a session token template copies; updates: %s", bytesText(total), metadataUpdateEndpoint)})
	}
	return s
}

func (lk *Lookup) sessionSection(c clock) Section {
	s := Section{Title: fmt.Sprintf("Sessions (%d)", len(lk.Sessions))}
	tokenSID := ""
	if lk.Token != nil {
		tokenSID = lk.Token.SessionID
	} else if lk.Session != nil {
		tokenSID = lk.Session.ID
	}
	seen := false
	for i := range lk.Sessions {
		ss := &lk.Sessions[i]
		if ss.ID == tokenSID {
			seen = true
		}
		s.Rows = append(s.Rows, sessionRow(ss, c, ss.ID == tokenSID))
	}
	if lk.Session != nil && !seen {
		r := sessionRow(lk.Session, c, true)
		r.Sub = append(r.Sub, "not in the user's session list (old sessions are cleaned up)")
		s.Rows = append([]Row{r}, s.Rows...)
		s.Title = fmt.Sprintf("Sessions (%d, and the token's)", len(lk.Sessions))
	}
	if tokenSID != "" && len(s.Rows) > 0 {
		if lk.Token != nil {
			s.Title += " — ▶ the token's session"
		} else {
			s.Title += " — ▶ the session asked for"
		}
	}
	return s
}

func sessionRow(ss *Session, c clock, mark bool) Row {
	lvl := Muted
	switch ss.Status {
	case "active":
		lvl = OK
	case "pending":
		lvl = Warn
	}
	v := ss.ID + " — " + SessionWords(ss.Status)
	r := Row{Label: ss.Status, Value: v, Level: lvl, Mark: mark}
	r.Sub = append(r.Sub, "last active "+c.rel(ss.LastActiveAt.Time))
	r.Sub = append(r.Sub, c.deadline("expires", "expired", ss.ExpireAt.Time)+" ("+ts(ss.ExpireAt.Time)+"), "+c.deadline("abandons", "abandon time passed", ss.AbandonAt.Time)+" ("+ts(ss.AbandonAt.Time)+")")
	if a := ss.LatestActivity; a != nil {
		dev := strings.TrimSpace(a.BrowserName + " " + a.BrowserVersion)
		if a.DeviceType != "" {
			dev += " on " + a.DeviceType
		}
		if a.IsMobile {
			dev += " (mobile)"
		}
		var place []string
		for _, p := range []string{a.City, a.Country, a.IPAddress} {
			if p != "" {
				place = append(place, p)
			}
		}
		r.Sub = append(r.Sub, "device "+words.Or(dev, "-")+"; "+words.Or(strings.Join(place, ", "), "-"))
	}
	if ss.Actor != nil && ss.Actor.Sub != "" {
		act := "impersonated by " + ss.Actor.Sub
		if ss.Actor.Iss != "" {
			act += " (" + ss.Actor.Iss + ")"
		}
		r.Sub = append(r.Sub, act)
	}
	if ss.LastActiveOrganizationID != nil {
		r.Sub = append(r.Sub, "active organization "+*ss.LastActiveOrganizationID)
	}
	if len(ss.Tasks) > 0 {
		r.Sub = append(r.Sub, "tasks left: "+taskKeys(ss))
	}
	r.Sub = append(r.Sub, "client "+ss.ClientID)
	return r
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func (lk *Lookup) orgSection(c clock) Section {
	s := Section{Title: fmt.Sprintf("Organizations (%d)", len(lk.Memberships))}
	tokenOrg := ""
	if lk.Token != nil {
		tokenOrg = lk.Token.OrgID
	}
	inList := false
	for _, om := range lk.Memberships {
		m := om.Membership
		if m == nil {
			continue
		}
		o := m.Organization
		mark := tokenOrg != "" && o.ID == tokenOrg
		inList = inList || mark
		v := fmt.Sprintf("%s (%s) in %s (%s)", words.Or(m.RoleName, "-"), m.Role, o.Name, o.ID)
		var facts []string
		if om.MembersCount != nil {
			f := count(*om.MembersCount, "member")
			if om.MaxMembers > 0 {
				f += fmt.Sprintf(" of at most %d", om.MaxMembers)
			}
			facts = append(facts, f)
		}
		switch {
		case om.PendingInvitations != nil:
			facts = append(facts, count(*om.PendingInvitations, "pending invitation"))
		case om.InvitationsError != "":
			facts = append(facts, "pending invitations unknown ("+om.InvitationsError+")")
		}
		if len(facts) > 0 {
			v += " — " + strings.Join(facts, ", ")
		}
		r := Row{Label: words.Or(o.Slug, "-"), Value: v, Mark: mark}
		perms := "none"
		if len(m.Permissions) > 0 {
			perms = strings.Join(m.Permissions, ", ")
		}
		r.Sub = append(r.Sub, count(len(m.Permissions), "permission")+": "+perms)
		r.Sub = append(r.Sub, "membership public metadata (frontend reads): "+compactJSON(m.PublicMetadata, 200))
		r.Sub = append(r.Sub, "membership private metadata (backend only): "+compactJSON(m.PrivateMetadata, 200))
		for _, inv := range om.Invitations {
			r.Sub = append(r.Sub, fmt.Sprintf("invited: %s as %s, %s", inv.EmailAddress, inv.Role, c.deadline("expires", "expired", inv.ExpiresAt.Time)))
		}
		r.Sub = append(r.Sub, "member since "+c.rel(m.CreatedAt.Time))
		s.Rows = append(s.Rows, r)
	}
	if tokenOrg != "" {
		s.Title += " — ▶ the token's active organization"
	}
	if o := lk.Organization; o != nil && !inList {
		s.Rows = append(s.Rows, Row{Label: words.Or(o.Slug, "-"), Value: fmt.Sprintf("%s (%s): the token's active organization; the user is not a member", o.Name, o.ID), Level: Bad, Mark: true})
	}
	if !lk.membershipsRead && len(s.Rows) == 0 {
		return Section{}
	}
	return s
}

func (lk *Lookup) reverificationSection() Section {
	if len(lk.Reverification) == 0 || lk.Token == nil {
		return Section{}
	}
	s := Section{Title: fmt.Sprintf("Reverification (fva %v, as has({reverification}) reads it)", lk.Token.FVA)}
	for _, r := range lk.Reverification {
		v, lvl := "not decided (has() ignores the check)", Muted
		if r.Passes != nil && *r.Passes {
			v, lvl = "passes", OK
		} else if r.Passes != nil {
			v, lvl = "fails: the user is asked to verify again", Warn
		}
		s.Rows = append(s.Rows, Row{Label: r.Preset, Value: v + " — " + r.Why, Level: lvl})
	}
	return s
}

func (lk *Lookup) instanceSection() Section {
	in := lk.Instance
	if in == nil {
		return Section{}
	}
	s := Section{Title: "Instance"}
	v := in.ID + " (" + in.EnvironmentType + ")"
	lvl := Plain
	if t := lk.Token; t != nil && strings.HasPrefix(t.Kid, "ins_") {
		if t.Kid == in.ID {
			v += "; signed the token"
			lvl = OK
		} else {
			v += "; the token was signed by " + t.Kid
			lvl = Bad
		}
	}
	s.Rows = append(s.Rows, Row{Label: "secret key's", Value: v, Level: lvl})
	return s
}
