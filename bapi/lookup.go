package bapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"clerkscope/inspect"
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

// JWKS implements inspect.Backend, once per run.
func (b *Backend) JWKS(ctx context.Context) (*inspect.JWKS, error) {
	b.once.Do(func() {
		b.jwks, b.err = b.c.JWKS(ctx)
		b.err = engineError(b.err)
	})
	return b.jwks, b.err
}

// engineError turns a client error into what the engine branches on.
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
	return fmt.Errorf("%w: %v", inspect.ErrUnreachable, err)
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

// Discrepancy is a place where the token and the Backend API disagree.
type Discrepancy struct {
	Severity string `json:"severity"`
	Text     string `json:"text"`
}

// Lookup is what the Backend API says about the session behind a token.
type Lookup struct {
	Session       *Session      `json:"session,omitempty"`
	User          *User         `json:"user,omitempty"`
	Organization  *Organization `json:"organization,omitempty"`
	Membership    *Membership   `json:"membership,omitempty"`
	Errors        []string      `json:"errors,omitempty"`
	Discrepancies []Discrepancy `json:"discrepancies,omitempty"`
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

// Session looks a session up once per run.
func (l *Looker) Session(ctx context.Context, id string) (*Session, error) {
	v, err := l.do(ctx, "sess:"+id, func() (any, error) { return l.c.Session(ctx, id) })
	s, _ := v.(*Session)
	return s, err
}

// User looks a user up once per run.
func (l *Looker) User(ctx context.Context, id string) (*User, error) {
	v, err := l.do(ctx, "user:"+id, func() (any, error) { return l.c.User(ctx, id) })
	u, _ := v.(*User)
	return u, err
}

// Organization looks an organization up once per run.
func (l *Looker) Organization(ctx context.Context, id string) (*Organization, error) {
	v, err := l.do(ctx, "org:"+id, func() (any, error) { return l.c.Organization(ctx, id) })
	o, _ := v.(*Organization)
	return o, err
}

// Membership finds the user's membership in an organization.
func (l *Looker) Membership(ctx context.Context, orgID, userID string) (*Membership, error) {
	v, err := l.do(ctx, "mem:"+orgID+":"+userID, func() (any, error) {
		ms, err := l.c.OrganizationMemberships(ctx, orgID, userID)
		if err != nil {
			return nil, err
		}
		for i := range ms {
			if ms[i].PublicUserData.UserID == userID {
				return &ms[i], nil
			}
		}
		return nil, nil
	})
	m, _ := v.(*Membership)
	return m, err
}

// ForAuth looks up the session, user and organization behind a verdict's
// auth object (or its token's claims), and calls out disagreements.
func (l *Looker) ForAuth(ctx context.Context, v *inspect.Verdict, at time.Time) *Lookup {
	sid, sub, orgID, orgRole := "", "", "", ""
	var orgPerms []string
	if a := v.AuthAllowPending; a != nil {
		sid, sub = str(a.SessionID), str(a.UserID)
	} else if a := v.Auth; a != nil && a.IsAuthenticated {
		sid, sub, orgID, orgRole = str(a.SessionID), str(a.UserID), str(a.OrgID), str(a.OrgRole)
		orgPerms = strs(a.OrgPermissions)
	}
	if sid == "" && v.Token != nil {
		sid, sub = v.Token.ClaimString("sid"), v.Token.ClaimString("sub")
	}
	if sid == "" && sub == "" {
		return nil
	}
	lk := &Lookup{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	addErr := func(what string, err error) {
		mu.Lock()
		lk.Errors = append(lk.Errors, what+": "+err.Error())
		mu.Unlock()
	}
	if sid != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := l.Session(ctx, sid)
			if err != nil {
				addErr("session "+sid, err)
			}
			mu.Lock()
			lk.Session = s
			mu.Unlock()
		}()
	}
	if sub != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := l.User(ctx, sub)
			if err != nil {
				addErr("user "+sub, err)
			}
			mu.Lock()
			lk.User = u
			mu.Unlock()
		}()
	}
	if orgID != "" {
		wg.Add(2)
		go func() {
			defer wg.Done()
			o, err := l.Organization(ctx, orgID)
			if err != nil {
				addErr("organization "+orgID, err)
			}
			mu.Lock()
			lk.Organization = o
			mu.Unlock()
		}()
		go func() {
			defer wg.Done()
			m, err := l.Membership(ctx, orgID, sub)
			if err != nil {
				addErr("membership", err)
			}
			mu.Lock()
			lk.Membership = m
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Strings(lk.Errors)
	lk.Discrepancies = compare(lk, v, at, orgID, orgRole, orgPerms, l.c.KeyKind())
	return lk
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

func compare(lk *Lookup, v *inspect.Verdict, at time.Time, orgID, orgRole string, perms []string, keyKind string) []Discrepancy {
	var d []Discrepancy
	add := func(sev, f string, a ...any) { d = append(d, Discrepancy{sev, fmt.Sprintf(f, a...)}) }
	tokenValid := v.Status == inspect.SignedIn
	if s := lk.Session; s != nil {
		if s.Status != "active" && s.Status != "pending" && tokenValid {
			add("error", "the session is %s in the Backend API, but the token is still inside its lifetime: until it expires (≤ 60 s) the app treats the user as signed in", s.Status)
		} else if s.Status != "active" {
			add("warning", "the session is %s", s.Status)
		}
		if !s.ExpireAt.IsZero() && s.ExpireAt.Before(at) {
			add("warning", "the session's lifetime ended at %s", s.ExpireAt.Format(time.RFC3339))
		}
		if s.LastActiveOrganizationID != nil && orgID != "" && *s.LastActiveOrganizationID != orgID {
			add("warning", "the session's active organization is now %s; the token says %s", *s.LastActiveOrganizationID, orgID)
		}
	}
	if u := lk.User; u != nil {
		if u.Banned {
			add("error", "the user is banned: Clerk ends their sessions and refuses sign-in")
		}
		if u.Locked {
			exp := ""
			if u.LockoutExpiresInSeconds != nil {
				exp = fmt.Sprintf(" (unlocks in %s)", time.Duration(*u.LockoutExpiresInSeconds)*time.Second)
			}
			add("error", "the user is locked out after too many failed attempts%s", exp)
		}
	}
	if m := lk.Membership; m != nil && orgRole != "" && m.Role != orgRole {
		add("warning", "the user's role in the organization is now %s; the token (minted earlier) still says %s", m.Role, orgRole)
	}
	if lk.Membership == nil && orgID != "" && len(lk.Errors) == 0 {
		add("error", "the user is no longer a member of %s, which the token names as the active organization", orgID)
	}
	if m := lk.Membership; m != nil && len(perms) > 0 {
		missing := diff(perms, m.Permissions)
		if len(missing) > 0 {
			add("warning", "the token carries permissions the membership no longer has: %s", strings.Join(missing, ", "))
		}
	}
	if v.Instance.Type != "" && keyKind != "" && v.Instance.Type != keyKind {
		add("error", "the secret key is a %s key but the token is from a %s instance: lookups answer 404", keyKind, v.Instance.Type)
	}
	for _, e := range lk.Errors {
		if strings.Contains(e, "HTTP 404") {
			add("warning", "not found in this instance: is the secret key from the same instance as the token?")
			break
		}
	}
	return d
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

// Client is the client the backend calls through (the run's, shared with
// the lookups).
func (b *Backend) Client() *Client { return b.c }
