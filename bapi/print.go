package bapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/words"
)

// Query is what `clerkscope lookup` was asked.
type Query struct {
	// Text is an id (user_, sess_, org_, client_), an organization slug,
	// an email, a phone number, a username, an external id or free text.
	Text string
	// By forces how Text is read: id, email, phone, username,
	// external-id, query or org ("" guesses).
	By string
	// Records prints the records as the Backend API returned them
	// (with raw JSON output).
	Records bool
	// At is the time relative times are measured from (now).
	At time.Time
}

// Query kinds (Query.By).
var queryKinds = map[string]UserFilter{"email": ByEmail, "phone": ByPhone, "username": ByUsername, "external-id": ByExternalID, "query": ByQuery}

var (
	rePhone = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{5,}[0-9]$`)
	reSlug  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// answer is what a query found: one user's card, an organization, a
// client, or several users to choose from.
type answer struct {
	Kind    string        `json:"kind"` // user, organization, client, matches
	Lookup  *Lookup       `json:"lookup,omitempty"`
	Org     *OrgView      `json:"organization,omitempty"`
	Client  *ClientRecord `json:"client,omitempty"`
	Matches *Matches      `json:"matches,omitempty"`
	records []json.RawMessage
}

// OrgView is an organization with its members and pending invitations.
type OrgView struct {
	Organization     *Organization `json:"organization"`
	Members          []Membership  `json:"members,omitempty"`
	MembersPartial   bool          `json:"membersPartial,omitempty"`
	Invitations      []Invitation  `json:"invitations,omitempty"`
	PendingCount     *int          `json:"pendingInvitations,omitempty"`
	InvitationsError string        `json:"invitationsError,omitempty"`
	Errors           []string      `json:"errors,omitempty"`
}

// Matches are the users a search found, listed rather than guessed between.
type Matches struct {
	Query   string `json:"query"`
	By      string `json:"by"`
	Users   []User `json:"users"`
	Partial bool   `json:"partial,omitempty"`
	// Organization is set when the text is also an organization's slug.
	Organization *Organization `json:"organization,omitempty"`
}

// PrintLookup prints what a query finds: a user's whole card (by id,
// email, phone, username, external id or free text; by a session id with
// that session marked), an organization, a client, or the users that
// match when there are several. With raw, JSON: the joined lookup, or the
// records as the Backend API returned them (q.Records), its control
// characters as \u escapes. Names and emails are what users typed: text
// shows control characters escaped (inspect.Sanitize).
func PrintLookup(ctx context.Context, c *Client, q Query, raw bool, w io.Writer) error {
	sw := inspect.NewSanitizer(w)
	if raw {
		sw = inspect.NewJSONSanitizer(w)
	}
	defer sw.Close()
	w = sw
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return fmt.Errorf("empty id")
	}
	if q.At.IsZero() {
		return fmt.Errorf("bapi: PrintLookup needs the time (Query.At)")
	}
	a, err := resolve(ctx, NewLooker(c, 0), q, text)
	if err != nil {
		return err
	}
	if raw {
		var v any = a
		if q.Records {
			v = a.records
			if len(a.records) == 1 {
				v = a.records[0]
			}
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	var secs []Section
	switch a.Kind {
	case "user":
		secs = a.Lookup.Sections()
	case "organization":
		secs = a.Org.Sections(clock{at: q.At})
	case "client":
		secs = clientSections(a.Client, clock{at: q.At})
	case "matches":
		secs = a.Matches.Sections(clock{at: q.At})
	}
	WriteText(w, secs, "")
	return nil
}

// resolve reads the query and makes the calls it needs.
func resolve(ctx context.Context, l *Looker, q Query, text string) (*answer, error) {
	by := q.By
	if by == "" {
		switch {
		case strings.HasPrefix(text, "user_"), strings.HasPrefix(text, "sess_"), strings.HasPrefix(text, "client_"):
			by = "id"
		case strings.HasPrefix(text, "org_"):
			by = "org"
		case strings.Contains(text, "@"):
			by = "email"
		case rePhone.MatchString(text) && digits(text) >= 7:
			by = "phone"
		}
	}
	switch by {
	case "id":
		return resolveID(ctx, l, text, q.At)
	case "org":
		return orgAnswer(ctx, l, text)
	case "phone":
		text = normalPhone(text)
	case "":
		return guess(ctx, l, text, q.At)
	}
	f, ok := queryKinds[by]
	if !ok {
		return nil, fmt.Errorf("--by %q: use id, email, phone, username, external-id, query or org", by)
	}
	found, err := l.FindUsers(ctx, f, text)
	if err != nil {
		return nil, err
	}
	return usersAnswer(ctx, l, &Matches{Query: text, By: by, Users: found.Items, Partial: found.Partial}, q.At)
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// normalPhone is the E.164 form the API matches: + and digits.
func normalPhone(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func resolveID(ctx context.Context, l *Looker, id string, at time.Time) (*answer, error) {
	switch {
	case strings.HasPrefix(id, "user_"):
		u, err := l.User(ctx, id)
		if err != nil {
			return nil, err
		}
		return userAnswer(ctx, l, u.ID, "", at), nil
	case strings.HasPrefix(id, "sess_"):
		s, err := l.Session(ctx, id)
		if err != nil {
			return nil, err
		}
		return userAnswer(ctx, l, s.UserID, s.ID, at), nil
	case strings.HasPrefix(id, "client_"):
		r, err := l.c.Client(ctx, id)
		if err != nil {
			return nil, err
		}
		return &answer{Kind: "client", Client: r, records: []json.RawMessage{r.Raw}}, nil
	}
	return orgAnswer(ctx, l, id)
}

func userAnswer(ctx context.Context, l *Looker, userID, sessionID string, at time.Time) *answer {
	lk := l.ForUser(ctx, userID, sessionID, at)
	a := &answer{Kind: "user", Lookup: lk}
	if lk.User != nil {
		a.records = append(a.records, lk.User.Raw)
	}
	for _, s := range lk.Sessions {
		if len(s.Raw) > 0 {
			a.records = append(a.records, s.Raw)
		}
	}
	return a
}

// usersAnswer shows the card of a single match, the list otherwise.
func usersAnswer(ctx context.Context, l *Looker, m *Matches, at time.Time) (*answer, error) {
	if len(m.Users) == 1 && m.Organization == nil {
		return userAnswer(ctx, l, m.Users[0].ID, "", at), nil
	}
	if len(m.Users) == 0 && m.Organization != nil {
		return orgAnswer(ctx, l, m.Organization.ID)
	}
	if len(m.Users) == 0 {
		return nil, fmt.Errorf("no user matches %s %q in this instance", m.By, m.Query)
	}
	a := &answer{Kind: "matches", Matches: m}
	for _, u := range m.Users {
		a.records = append(a.records, u.Raw)
	}
	return a, nil
}

// guess reads a bare word: a username, an external id or an
// organization's slug, asked together; when none matches, the API's free
// text search.
func guess(ctx context.Context, l *Looker, text string, at time.Time) (*answer, error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	m := &Matches{Query: text, By: "username, external id or slug"}
	seen := map[string]bool{}
	var errs []error
	for _, f := range []UserFilter{ByUsername, ByExternalID} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found, err := l.FindUsers(ctx, f, text)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for _, u := range found.Items {
				if !seen[u.ID] {
					seen[u.ID] = true
					m.Users = append(m.Users, u)
				}
			}
			m.Partial = m.Partial || found.Partial
		}()
	}
	if reSlug.MatchString(text) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := l.Organization(ctx, text)
			mu.Lock()
			defer mu.Unlock()
			var e *Error
			if err != nil && !(errors.As(err, &e) && e.NotFound()) {
				errs = append(errs, err)
			}
			if o != nil {
				m.Organization = o
			}
		}()
	}
	wg.Wait()
	if len(m.Users) == 0 && m.Organization == nil {
		if len(errs) > 0 {
			return nil, errs[0]
		}
		found, err := l.FindUsers(ctx, ByQuery, text)
		if err != nil {
			return nil, err
		}
		m = &Matches{Query: text, By: "query", Users: found.Items, Partial: found.Partial}
	}
	return usersAnswer(ctx, l, m, at)
}

func orgAnswer(ctx context.Context, l *Looker, idOrSlug string) (*answer, error) {
	o, err := l.Organization(ctx, idOrSlug)
	if err != nil {
		return nil, err
	}
	v := &OrgView{Organization: o}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		ms, err := l.c.OrganizationMemberships(ctx, o.ID, "")
		v.Members, v.MembersPartial = ms.Items, ms.Partial
		if err != nil {
			v.Errors = append(v.Errors, "members: "+err.Error())
		}
	}()
	var invErr error
	go func() {
		defer wg.Done()
		inv, err := l.invitations(ctx, o.ID)
		if err != nil {
			invErr = err
			return
		}
		n := max(inv.Total, len(inv.Items))
		v.Invitations, v.PendingCount = inv.Items, &n
	}()
	wg.Wait()
	if invErr != nil {
		v.InvitationsError = shortError(invErr)
	}
	return &answer{Kind: "organization", Org: v, records: []json.RawMessage{o.Raw}}, nil
}

// Sections is the organization as shown.
func (v *OrgView) Sections(c clock) []Section {
	o := v.Organization
	s := Section{Title: "Organization " + o.ID + " — " + o.Name}
	s.Rows = append(s.Rows, Row{Label: "slug", Value: words.Or(o.Slug, "-")})
	if o.MembersCount != nil {
		s.Rows = append(s.Rows, Row{Label: "members", Value: fmt.Sprintf("%d of at most %d", *o.MembersCount, o.MaxAllowedMemberships)})
	}
	switch {
	case v.PendingCount != nil:
		s.Rows = append(s.Rows, Row{Label: "invitations", Value: fmt.Sprintf("%d pending", *v.PendingCount)})
	case v.InvitationsError != "":
		s.Rows = append(s.Rows, Row{Label: "invitations", Value: "unknown (" + v.InvitationsError + ")", Level: Muted})
	}
	s.Rows = append(s.Rows,
		Row{Label: "created", Value: c.rel(o.CreatedAt.Time) + " by " + words.Or(o.CreatedBy, "-")},
		Row{Label: "public metadata", Value: compactJSON(o.PublicMetadata, 400) + " (frontend reads, backend writes)"},
		Row{Label: "private metadata", Value: compactJSON(o.PrivateMetadata, 400) + " (backend only)"})
	out := []Section{s}
	mem := Section{Title: fmt.Sprintf("Members (%d)", len(v.Members))}
	for _, m := range v.Members {
		mem.Rows = append(mem.Rows, Row{Label: m.Role, Value: m.PublicUserData.UserID + " " + m.PublicUserData.Identifier,
			Sub: []string{count(len(m.Permissions), "permission") + "; member since " + c.rel(m.CreatedAt.Time)}})
	}
	if v.MembersPartial {
		mem.Rows = append(mem.Rows, Row{Label: "note", Value: fmt.Sprintf("stopped after %d members", len(v.Members)), Level: Muted})
	}
	out = append(out, mem)
	if len(v.Invitations) > 0 {
		inv := Section{Title: "Pending invitations"}
		for _, i := range v.Invitations {
			inv.Rows = append(inv.Rows, Row{Label: i.Role, Value: i.EmailAddress + ", " + c.deadline("expires", "expired", i.ExpiresAt.Time)})
		}
		out = append(out, inv)
	}
	if len(v.Errors) > 0 {
		e := Section{Title: "Not shown"}
		for _, x := range v.Errors {
			e.Rows = append(e.Rows, Row{Label: "error", Value: x, Level: Bad})
		}
		out = append(out, e)
	}
	return out
}

func clientSections(r *ClientRecord, c clock) []Section {
	s := Section{Title: "Client " + r.ID}
	s.Rows = append(s.Rows, Row{Label: "updated", Value: c.rel(r.UpdatedAt.Time)},
		Row{Label: "last session", Value: words.Or(deref(r.LastActiveSessionID), "-")},
		Row{Label: "last sign-in by", Value: words.Or(deref(r.LastAuthenticationStrategy), "-")})
	ss := Section{Title: fmt.Sprintf("Sessions (%d)", len(r.Sessions))}
	for i := range r.Sessions {
		row := sessionRow(&r.Sessions[i], c, r.LastActiveSessionID != nil && r.Sessions[i].ID == *r.LastActiveSessionID)
		row.Sub = append([]string{"user " + r.Sessions[i].UserID}, row.Sub...)
		ss.Rows = append(ss.Rows, row)
	}
	return []Section{s, ss}
}

// Sections lists the matches.
func (m *Matches) Sections(c clock) []Section {
	s := Section{Title: fmt.Sprintf("%d users match %s %q — not guessed between", len(m.Users), m.By, m.Query)}
	if m.Partial {
		s.Title = fmt.Sprintf("The first %d users matching %s %q (there are more: narrow the search)", len(m.Users), m.By, m.Query)
	}
	for _, u := range m.Users {
		s.Rows = append(s.Rows, Row{Label: u.ID, Value: words.Or(u.Name(), "-") + " <" + words.Or(u.PrimaryEmail(), "-") + ">",
			Sub: []string{"username " + words.Or(deref(u.Username), "-") + ", external id " + words.Or(deref(u.ExternalID), "-") + ", last sign-in " + c.rel(u.LastSignInAt.Time)}})
	}
	if m.Organization != nil {
		s.Rows = append(s.Rows, Row{Label: "organization", Value: m.Organization.ID + " " + m.Organization.Name + " (slug " + m.Organization.Slug + ")"})
	}
	s.Rows = append(s.Rows, Row{Label: "next", Value: "clerkscope lookup user_… (or org_…) shows the whole record", Level: Muted})
	return []Section{s}
}

// WriteText renders sections as plain text: a title line, then one
// "label  value" line per row (▶ marks the token's own record), its
// details indented under it.
func WriteText(w io.Writer, secs []Section, indent string) {
	var b bytes.Buffer
	for i, s := range secs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(indent + s.Title + "\n")
		for _, r := range s.Rows {
			mark := "  "
			if r.Mark {
				mark = "▶ "
			}
			fmt.Fprintf(&b, "%s%s%-14s %s\n", indent, mark, r.Label, r.Value)
			for _, sub := range r.Sub {
				fmt.Fprintf(&b, "%s%s %s\n", indent, strings.Repeat(" ", 16), sub)
			}
		}
	}
	_, _ = w.Write(b.Bytes())
}

// WriteMarkdown renders sections as Markdown: a heading per section (at
// the given level), a list item per row.
func WriteMarkdown(w io.Writer, secs []Section, level int) {
	var b bytes.Buffer
	h := strings.Repeat("#", level)
	for _, s := range secs {
		fmt.Fprintf(&b, "%s %s\n\n", h, mdText(s.Title))
		for _, r := range s.Rows {
			mark := ""
			if r.Mark {
				mark = "▶ "
			}
			fmt.Fprintf(&b, "- %s**%s**: %s\n", mark, mdText(r.Label), mdText(r.Value))
			for _, sub := range r.Sub {
				fmt.Fprintf(&b, "  - %s\n", mdText(sub))
			}
		}
		b.WriteByte('\n')
	}
	_, _ = w.Write(b.Bytes())
}

// mdText keeps a value from starting Markdown of its own.
func mdText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	r := strings.NewReplacer("*", `\*`, "`", "\\`", "<", "&lt;", "[", `\[`)
	return r.Replace(s)
}

// Printer writes the lookups of a run's requests as text: a user's card
// the first time the user appears, then only what differs per request
// (the token's session, the discrepancies, reverification); a failure
// the first time its kind appears. Identifiers and private metadata are
// hidden unless Reveal.
type Printer struct {
	Reveal bool
	users  map[string]bool
	failed map[string]bool
}

// Write prints one request's lookup.
func (p *Printer) Write(w io.Writer, lk *Lookup) {
	if lk == nil {
		return
	}
	summary, secs := p.Sections(lk)
	fmt.Fprintln(w, "  Backend API: "+summary)
	WriteText(w, secs, "    ")
}

// Sections is one request's lookup as the run shows it next: its summary
// line and its sections (the user's card only the first time).
func (p *Printer) Sections(lk *Lookup) (string, []Section) {
	if p.users == nil {
		p.users, p.failed = map[string]bool{}, map[string]bool{}
	}
	fails := lk.failures
	lk = lk.Shown(p.Reveal)
	shown := *lk
	shown.Errors = nil
	for i, f := range fails {
		key := f.what
		var e *Error
		if errors.As(f.err, &e) {
			if e.Repeat {
				continue
			}
			key = e.Endpoint + " " + e.reason()
		}
		if p.failed[key] {
			continue
		}
		p.failed[key] = true
		if i < len(lk.Errors) {
			shown.Errors = append(shown.Errors, lk.Errors[i])
		}
	}
	uid := ""
	if lk.User != nil {
		uid = lk.User.ID
	}
	var secs []Section
	if uid != "" && p.users[uid] {
		secs = shown.brief()
	} else {
		if uid != "" {
			p.users[uid] = true
		}
		secs = shown.Sections()
	}
	summary := lk.Summary()
	if lk.User == nil && lk.Session == nil && len(shown.Errors) == 0 && len(fails) > 0 {
		summary = "not read: " + shortError(fails[0].err) + " (shown above)"
	}
	return summary, secs
}

// brief is a lookup's sections for a user whose card was already shown.
func (lk *Lookup) brief() []Section {
	var out []Section
	if d := lk.discrepancySection(); len(d.Rows) > 0 {
		out = append(out, d)
	}
	c := clock{at: lk.At, request: lk.Token != nil}
	if lk.Session != nil {
		out = append(out, Section{Title: "Session (the user's card is above)", Rows: []Row{sessionRow(lk.Session, c, true)}})
	}
	if r := lk.reverificationSection(); len(r.Rows) > 0 {
		out = append(out, r)
	}
	var notes Section
	notes.Title = "Not shown"
	for _, e := range lk.Errors {
		notes.Rows = append(notes.Rows, Row{Label: "error", Value: e, Level: Bad})
	}
	if len(notes.Rows) > 0 {
		out = append(out, notes)
	}
	return out
}

// Summary is the lookup in one line: who, and the session's state.
func (lk *Lookup) Summary() string {
	var parts []string
	if u := lk.User; u != nil {
		s := u.ID
		if n := u.Name(); n != "" {
			s += " " + n
		}
		if e := u.PrimaryEmail(); e != "" {
			s += " <" + e + ">"
		}
		var flags []string
		for _, f := range []struct {
			on   bool
			name string
		}{{u.Banned, "BANNED"}, {u.Locked, "LOCKED"}, {u.Deprovisioned, "DEPROVISIONED"}, {u.TwoFactorEnabled, "MFA"}} {
			if f.on {
				flags = append(flags, f.name)
			}
		}
		if len(flags) > 0 {
			s += " [" + strings.Join(flags, ", ") + "]"
		}
		parts = append(parts, s)
	}
	if s := lk.Session; s != nil {
		parts = append(parts, "session "+s.ID+" "+strings.ToUpper(s.Status))
	}
	if len(lk.Discrepancies) > 0 {
		parts = append(parts, count(len(lk.Discrepancies), "disagreement")+" with the token")
	}
	if len(parts) == 0 {
		return "nothing could be read"
	}
	return strings.Join(parts, ", ")
}

// String names a level.
func (l Level) String() string {
	return [...]string{"plain", "ok", "warn", "bad", "muted"}[l]
}
