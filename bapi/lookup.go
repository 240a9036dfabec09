package bapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// Backend adapts the client to the verdict engine: the JWKS comes from the
// Backend API (read-only, cached for the run); every state-changing call
// goes to Fallback (canned answers), never to the real instance.
type Backend struct {
	c        *Client
	fallback inspect.Backend
	once     sync.Once
	jwks     *inspect.JWKS
	err      error
}

// NewBackend wraps a client; fallback answers everything but the JWKS.
func NewBackend(c *Client, fallback inspect.Backend) *Backend {
	return &Backend{c: c, fallback: fallback}
}

// Client is the client the backend calls through (the run's, shared with
// the lookups).
func (b *Backend) Client() *Client { return b.c }

// JWKS implements inspect.Backend, once per run.
func (b *Backend) JWKS(ctx context.Context) (*inspect.JWKS, error) {
	b.once.Do(func() {
		b.jwks, b.err = b.c.JWKS(ctx)
		b.err = engineError(b.err)
	})
	return b.jwks, b.err
}

// engineError turns a client error into what the engine branches on: an
// *inspect.APIError for an answer, else inspect.ErrUnreachable, which
// still wraps the client's *Error for callers that ask (errors.As).
func engineError(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && !e.Transport && e.Status > 0 {
		ae := &inspect.APIError{Status: e.Status}
		if e.Code != "" {
			ae.Codes = []string{e.Code}
			ae.Messages = []string{e.Message}
		}
		return ae
	}
	return fmt.Errorf("%w: %w", inspect.ErrUnreachable, err)
}

// RefreshSession implements inspect.Backend (never called on Clerk).
func (b *Backend) RefreshSession(ctx context.Context, sid string) ([]string, error) {
	return b.fallback.RefreshSession(ctx, sid)
}

// HandshakePayload implements inspect.Backend (never called on Clerk).
func (b *Backend) HandshakePayload(ctx context.Context, nonce string) ([]string, error) {
	return b.fallback.HandshakePayload(ctx, nonce)
}

// VerifyMachineToken implements inspect.Backend (never called on Clerk).
func (b *Backend) VerifyMachineToken(ctx context.Context, t, tok string) (map[string]any, error) {
	return b.fallback.VerifyMachineToken(ctx, t, tok)
}

// Lookup is what the Backend API says about the user behind a token (or
// the one asked for by id, email…), joined to the token when there is one:
// the user card, their sessions, organizations and metadata, and where the
// token and the records disagree.
type Lookup struct {
	// At is the request's time: relative times are measured from it.
	At time.Time `json:"at"`
	// Token is what the token says (nil for a lookup without one).
	Token *TokenFacts `json:"token,omitempty"`
	User  *User       `json:"user,omitempty"`
	// Session is the token's session (or the one asked for).
	Session *Session `json:"session,omitempty"`
	// Sessions are the user's sessions, newest first.
	Sessions []Session `json:"sessions,omitempty"`
	// Organization and Membership are the token's active organization
	// and the user's membership in it now.
	Organization *Organization `json:"organization,omitempty"`
	Membership   *Membership   `json:"membership,omitempty"`
	// Memberships are every organization the user belongs to.
	Memberships []OrgMembership `json:"memberships,omitempty"`
	Instance    *Instance       `json:"instance,omitempty"`
	// Metadata is the user's three metadata objects: size, who reads and
	// writes them.
	Metadata []MetadataInfo `json:"metadata,omitempty"`
	// Reverification is which of Clerk's presets the token's fva passes.
	Reverification []Reverification `json:"reverification,omitempty"`
	Discrepancies  []Discrepancy    `json:"discrepancies,omitempty"`
	// Notes say where a list stopped before its end.
	Notes  []string `json:"notes,omitempty"`
	Errors []string `json:"errors,omitempty"`

	failures        []failure
	membershipsRead bool
}

// failure is a lookup that failed, kept whole so that output can say a
// repeated failure once.
type failure struct {
	what string
	err  error
}

// OrgMembership is one of the user's memberships with what the
// organization's own record adds.
type OrgMembership struct {
	Membership *Membership `json:"membership"`
	// MembersCount and MaxMembers come from the organization record.
	MembersCount *int `json:"membersCount,omitempty"`
	MaxMembers   int  `json:"maxMembers,omitempty"`
	// PendingInvitations is how many invitations wait (nil: unknown).
	PendingInvitations *int         `json:"pendingInvitations,omitempty"`
	Invitations        []Invitation `json:"invitations,omitempty"`
	InvitationsError   string       `json:"invitationsError,omitempty"`
}

// TokenFacts is what the session token in front of the user claims.
type TokenFacts struct {
	SessionID      string   `json:"sessionId,omitempty"`
	UserID         string   `json:"userId,omitempty"`
	SessionStatus  string   `json:"sessionStatus,omitempty"`
	OrgID          string   `json:"orgId,omitempty"`
	OrgRole        string   `json:"orgRole,omitempty"`
	OrgPermissions []string `json:"orgPermissions,omitempty"`
	// FVA is the factor verification age claim: minutes since the first
	// and the second factor were verified (-1: none).
	FVA      []int     `json:"fva,omitempty"`
	IssuedAt time.Time `json:"issuedAt,omitzero"`
	// Kid is the signing key's id: ins_… names the instance.
	Kid          string `json:"kid,omitempty"`
	InstanceType string `json:"instanceType,omitempty"`
	Valid        bool   `json:"valid"`
	// Claims are the token's custom claims (what a session token template
	// added), compared with the metadata they usually copy.
	Claims map[string]any `json:"-"`
}

// Looker performs deduplicated, cached lookups with bounded parallelism.
type Looker struct {
	c     *Client
	sem   chan struct{}
	mu    sync.Mutex
	cache map[string]*result
}

type result struct {
	done chan struct{}
	val  any
	err  error
}

// NewLooker runs at most parallel lookups at once (0: six).
func NewLooker(c *Client, parallel int) *Looker {
	if parallel < 1 {
		parallel = 6
	}
	return &Looker{c: c, sem: make(chan struct{}, parallel), cache: map[string]*result{}}
}

// Client returns the underlying client.
func (l *Looker) Client() *Client { return l.c }

// Retry forgets the failed lookups and the endpoints given up, so that the
// next lookup calls again (the dashboard, when the user asks again).
func (l *Looker) Retry() {
	l.mu.Lock()
	for k, r := range l.cache {
		select {
		case <-r.done:
			if r.err != nil {
				delete(l.cache, k)
			}
		default:
		}
	}
	l.mu.Unlock()
	l.c.Reset()
}

func (l *Looker) do(ctx context.Context, key string, fn func() (any, error)) (any, error) {
	l.mu.Lock()
	r, ok := l.cache[key]
	if !ok {
		r = &result{done: make(chan struct{})}
		l.cache[key] = r
		l.mu.Unlock()
		select {
		case l.sem <- struct{}{}:
			r.val, r.err = fn()
			<-l.sem
		case <-ctx.Done():
			r.err = ctx.Err()
		}
		close(r.done)
		return r.val, r.err
	}
	l.mu.Unlock()
	select {
	case <-r.done:
		return r.val, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func cached[T any](l *Looker, ctx context.Context, key string, fn func() (T, error)) (T, error) {
	v, err := l.do(ctx, key, func() (any, error) { return fn() })
	t, _ := v.(T)
	return t, err
}

// Session looks a session up once per run.
func (l *Looker) Session(ctx context.Context, id string) (*Session, error) {
	return cached(l, ctx, "sess:"+id, func() (*Session, error) { return l.c.Session(ctx, id) })
}

// User looks a user up once per run.
func (l *Looker) User(ctx context.Context, id string) (*User, error) {
	return cached(l, ctx, "user:"+id, func() (*User, error) { return l.c.User(ctx, id) })
}

// Organization looks an organization up once per run.
func (l *Looker) Organization(ctx context.Context, id string) (*Organization, error) {
	return cached(l, ctx, "org:"+id, func() (*Organization, error) { return l.c.Organization(ctx, id) })
}

func (l *Looker) userSessions(ctx context.Context, id string) (Listed[Session], error) {
	return cached(l, ctx, "sessions:"+id, func() (Listed[Session], error) { return l.c.UserSessions(ctx, id) })
}

func (l *Looker) userMemberships(ctx context.Context, id string) (Listed[Membership], error) {
	return cached(l, ctx, "mems:"+id, func() (Listed[Membership], error) { return l.c.UserMemberships(ctx, id) })
}

func (l *Looker) invitations(ctx context.Context, orgID string) (Listed[Invitation], error) {
	return cached(l, ctx, "inv:"+orgID, func() (Listed[Invitation], error) { return l.c.PendingInvitations(ctx, orgID) })
}

func (l *Looker) instance(ctx context.Context) (*Instance, error) {
	return cached(l, ctx, "instance", func() (*Instance, error) { return l.c.Instance(ctx) })
}

// FindUsers searches users once per run.
func (l *Looker) FindUsers(ctx context.Context, by UserFilter, value string) (Listed[User], error) {
	return cached(l, ctx, "find:"+string(by)+":"+value, func() (Listed[User], error) { return l.c.FindUsers(ctx, by, value) })
}

// collector gathers a lookup's parts from parallel calls.
type collector struct {
	mu sync.Mutex
	wg sync.WaitGroup
	lk *Lookup
}

func (c *collector) run(fn func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		fn()
	}()
}

func (c *collector) fail(what string, err error) {
	c.mu.Lock()
	c.lk.failures = append(c.lk.failures, failure{what, err})
	c.mu.Unlock()
}

func (c *collector) set(fn func(lk *Lookup)) {
	c.mu.Lock()
	fn(c.lk)
	c.mu.Unlock()
}

// ForUser looks up a user's whole card: the user, their sessions (the
// one named by sessionID marked), their organizations with member counts
// and pending invitations, and the instance.
func (l *Looker) ForUser(ctx context.Context, userID, sessionID string, at time.Time) *Lookup {
	lk := &Lookup{At: at}
	l.fill(ctx, lk, userID, sessionID, "")
	lk.finish()
	return lk
}

// fill runs the lookups in two rounds: the records named by the token,
// then the organizations its memberships name.
func (l *Looker) fill(ctx context.Context, lk *Lookup, userID, sessionID, orgID string) {
	c := &collector{lk: lk}
	if userID == "" && sessionID != "" {
		// A token without sub: the session names its user.
		s, err := l.Session(ctx, sessionID)
		if err != nil {
			c.fail("session "+sessionID, err)
		} else {
			lk.Session, userID = s, s.UserID
		}
	}
	if sessionID != "" && lk.Session == nil && len(lk.failures) == 0 {
		c.run(func() {
			s, err := l.Session(ctx, sessionID)
			if err != nil {
				c.fail("session "+sessionID, err)
				return
			}
			c.set(func(lk *Lookup) { lk.Session = s })
		})
	}
	var mems Listed[Membership]
	var memsOK bool
	if userID != "" {
		c.run(func() {
			u, err := l.User(ctx, userID)
			if err != nil {
				c.fail("user "+userID, err)
				return
			}
			c.set(func(lk *Lookup) { lk.User = u })
		})
		c.run(func() {
			ss, err := l.userSessions(ctx, userID)
			if err != nil {
				c.fail("sessions of "+userID, err)
			}
			c.set(func(lk *Lookup) {
				lk.Sessions = ss.Items
				if ss.Partial {
					lk.Notes = append(lk.Notes, fmt.Sprintf("sessions: stopped after the newest %d; the user has more", len(ss.Items)))
				}
			})
		})
		c.run(func() {
			ms, err := l.userMemberships(ctx, userID)
			if err != nil {
				c.fail("memberships of "+userID, err)
				return
			}
			c.set(func(lk *Lookup) {
				mems, memsOK = ms, true
				if ms.Partial {
					lk.Notes = append(lk.Notes, fmt.Sprintf("organizations: stopped after %d of %d memberships", len(ms.Items), ms.Total))
				}
			})
		})
	}
	c.run(func() {
		in, err := l.instance(ctx)
		if err != nil {
			c.fail("instance", err)
			return
		}
		c.set(func(lk *Lookup) { lk.Instance = in })
	})
	c.wg.Wait()

	// Second round: each organization's record and pending invitations.
	c = &collector{lk: lk}
	lk.Memberships = make([]OrgMembership, len(mems.Items))
	for i := range mems.Items {
		m := &mems.Items[i]
		om := &lk.Memberships[i]
		om.Membership = m
		if orgID != "" && m.Organization.ID == orgID {
			lk.Membership = m
		}
		id := m.Organization.ID
		c.run(func() {
			o, err := l.Organization(ctx, id)
			if err != nil {
				c.fail("organization "+id, err)
				return
			}
			c.set(func(lk *Lookup) {
				om.MembersCount, om.MaxMembers = o.MembersCount, o.MaxAllowedMemberships
				if id == orgID {
					lk.Organization = o
				}
				if o.PendingInvitations != nil {
					om.PendingInvitations = o.PendingInvitations
				}
			})
		})
		c.run(func() {
			inv, err := l.invitations(ctx, id)
			c.set(func(lk *Lookup) {
				if err != nil {
					om.InvitationsError = shortError(err)
					return
				}
				n := max(inv.Total, len(inv.Items))
				om.PendingInvitations, om.Invitations = &n, inv.Items
			})
		})
	}
	if orgID != "" && lk.Membership == nil && (memsOK || userID == "") {
		// The token's organization is not among the memberships (or they
		// could not be read): its record still says what it is.
		c.run(func() {
			o, err := l.Organization(ctx, orgID)
			if err != nil {
				c.fail("organization "+orgID, err)
				return
			}
			c.set(func(lk *Lookup) { lk.Organization = o })
		})
	}
	c.wg.Wait()
	if !memsOK {
		lk.Memberships = nil
	}
	lk.membershipsRead = memsOK
}

// shortError is an error without its hint (a line beside a field).
func shortError(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Repeat {
			return e.reason()
		}
		if e.Status > 0 {
			return fmt.Sprintf("HTTP %d %s", e.Status, strings.TrimSpace(e.Code))
		}
		return e.Message
	}
	return err.Error()
}

// finish orders what parallel calls gathered and computes the metadata view.
func (lk *Lookup) finish() {
	sort.Slice(lk.failures, func(i, j int) bool { return lk.failures[i].what < lk.failures[j].what })
	lk.Errors = nil
	for _, f := range lk.failures {
		lk.Errors = append(lk.Errors, f.what+": "+f.err.Error())
	}
	sort.Strings(lk.Notes)
	if lk.User != nil {
		lk.Metadata = userMetadata(lk.User)
	}
}

// ForAuth looks up the session, user and organization behind a verdict's
// auth object (or its token's claims), with the user's whole card, and
// calls out disagreements.
func (l *Looker) ForAuth(ctx context.Context, v *inspect.Verdict, at time.Time) *Lookup {
	t := tokenFacts(v)
	if t.SessionID == "" && t.UserID == "" {
		return nil
	}
	lk := &Lookup{At: at, Token: t}
	l.fill(ctx, lk, t.UserID, t.SessionID, t.OrgID)
	lk.finish()
	lk.Reverification = reverify(t.FVA)
	lk.Discrepancies = compare(lk, t, l.c.KeyKind())
	return lk
}

// tokenFacts reads what the verdict's auth object and token claim.
func tokenFacts(v *inspect.Verdict) *TokenFacts {
	t := &TokenFacts{Valid: v.Status == inspect.SignedIn, InstanceType: v.Instance.Type}
	if a := v.AuthAllowPending; a != nil {
		t.SessionID, t.UserID, t.SessionStatus = str(a.SessionID), str(a.UserID), str(a.SessionStatus)
		t.FVA = ints(a.FactorVerificationAge)
	} else if a := v.Auth; a != nil && a.IsAuthenticated {
		t.SessionID, t.UserID, t.SessionStatus = str(a.SessionID), str(a.UserID), str(a.SessionStatus)
		t.OrgID, t.OrgRole, t.OrgPermissions = str(a.OrgID), str(a.OrgRole), strs(a.OrgPermissions)
		t.FVA = ints(a.FactorVerificationAge)
	}
	if tok := v.Token; tok != nil {
		if t.SessionID == "" {
			t.SessionID, t.UserID = tok.ClaimString("sid"), tok.ClaimString("sub")
		}
		if t.SessionStatus == "" {
			t.SessionStatus = tok.ClaimString("sts")
		}
		if t.FVA == nil {
			t.FVA = ints(tok.Claim("fva"))
		}
		if iat, ok := tok.ClaimTime("iat"); ok {
			t.IssuedAt = iat
		}
		t.Kid = tok.HeaderString("kid")
		t.Claims = customClaims(tok.Payload)
	}
	return t
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ints reads the fva claim ([2]number) in whichever shape it came.
func ints(v any) []int {
	var out []int
	switch x := v.(type) {
	case []int:
		return x
	case []float64:
		for _, f := range x {
			out = append(out, int(f))
		}
	case []any:
		for _, e := range x {
			f, ok := e.(float64)
			if !ok {
				return nil
			}
			out = append(out, int(f))
		}
	}
	if len(out) != 2 {
		return nil
	}
	return out
}

func diff(a, b []string) []string {
	have := map[string]bool{}
	for _, x := range b {
		have[x] = true
	}
	var out []string
	for _, x := range a {
		if !have[x] {
			out = append(out, x)
		}
	}
	return out
}
