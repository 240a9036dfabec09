package bapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

func newTestClient(t *testing.T, url string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{SecretKey: testKey, BaseURL: url, Timeout: 2 * time.Second, MaxRetryAfter: 3 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() } // no real waiting in tests
	return c
}

func noKey(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Fatalf("the secret key leaked into %q", err)
	}
}

func TestRecords(t *testing.T) {
	_, srv := newFake(t)
	c := newTestClient(t, srv.URL+"/v1/", nil)
	ctx := context.Background()
	s, err := c.Session(ctx, "sess_2ALICEACTIVE000000000000000")
	if err != nil || s.Status != "active" || s.UserID != "user_2ALICE000000000000000000000" || s.ExpireAt.IsZero() || len(s.Raw) == 0 {
		t.Fatalf("session %+v %v", s, err)
	}
	if s.ExpireAt.Year() != 2026 {
		t.Errorf("milliseconds not converted: %v", s.ExpireAt)
	}
	u, err := c.User(ctx, "user_2ALICE000000000000000000000")
	if err != nil || u.PrimaryEmail() == "" || u.Name() == "" {
		t.Fatalf("user %+v %v", u, err)
	}
	d, err := c.User(ctx, "user_2DAVE0000000000000000000000")
	if err != nil || !d.Banned {
		t.Fatalf("dave should be banned: %+v %v", d, err)
	}
	o, err := c.Organization(ctx, "acme")
	if err != nil || o.ID != "org_2ACME0000000000000000000000" {
		t.Fatalf("org by slug %+v %v", o, err)
	}
	ms, err := c.UserMemberships(ctx, "user_2ALICE000000000000000000000")
	if err != nil || len(ms.Items) != 2 || ms.Partial {
		t.Fatalf("memberships %+v %v", ms, err)
	}
	om, err := c.OrganizationMemberships(ctx, "org_2ACME0000000000000000000000", "user_2BOB00000000000000000000000")
	if err != nil || len(om.Items) != 1 || om.Items[0].Role != "org:member" {
		t.Fatalf("org memberships %+v %v", om, err)
	}
	cl, err := c.Client(ctx, "client_2ALICECHROME000000000000000")
	if err != nil || len(cl.Sessions) == 0 {
		t.Fatalf("client %+v %v", cl, err)
	}
	in, err := c.Instance(ctx)
	if err != nil || in.EnvironmentType != "development" {
		t.Fatalf("instance %+v %v", in, err)
	}
	jwks, err := c.JWKS(ctx)
	if err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("jwks %v", err)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		fault   func(n int64) func(w http.ResponseWriter, r *http.Request) bool
		mod     func(*Config)
		id      string
		status  int
		code    string
		want    string
		calls   int
		success bool
	}{
		{name: "401 wrong key", mod: func(c *Config) { c.SecretKey = "sk_test_wrongwrongwrong1234" }, status: 401, code: "authentication_invalid", want: "wrong or revoked", calls: 1},
		{name: "404", id: "user_2NOBODY00000000000000000000", status: 404, code: "resource_not_found", want: "same instance", calls: 1},
		{name: "422", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				clerkError(w, 422, "form_param_invalid", "bad limit")
				return true
			}
		}, status: 422, code: "form_param_invalid", want: "rejected a parameter", calls: 1},
		{name: "429 with Retry-After then success", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			var n atomic.Int64
			return func(w http.ResponseWriter, r *http.Request) bool {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", "2")
					clerkError(w, 429, "too_many_requests", "slow down")
					return true
				}
				return false
			}
		}, calls: 2, success: true},
		{name: "429 too long", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Retry-After", "120")
				clerkError(w, 429, "too_many_requests", "slow down")
				return true
			}
		}, status: 429, want: "retry after 2m0s", calls: 1},
		{name: "500 then success", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			var n atomic.Int64
			return func(w http.ResponseWriter, r *http.Request) bool {
				if n.Add(1) == 1 {
					clerkError(w, 500, "internal_clerk_error", "boom")
					return true
				}
				return false
			}
		}, calls: 2, success: true},
		{name: "500 always", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				clerkError(w, 503, "internal_clerk_error", "boom")
				return true
			}
		}, status: 503, want: "Clerk's side failed", calls: 3},
		{name: "HTML 502", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			var n atomic.Int64
			return func(w http.ResponseWriter, r *http.Request) bool {
				n.Add(1)
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(502)
				_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
				return true
			}
		}, status: 502, want: "502 Bad Gateway", calls: 3},
		{name: "4xx is never retried", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				clerkError(w, 403, "authorization_invalid", "no")
				return true
			}
		}, status: 403, calls: 1, want: "not allowed"},
		{name: "empty 200", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool { w.WriteHeader(200); return true }
		}, status: 200, want: "empty", calls: 1},
		{name: "truncated body", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"object":"user","id":"user_2ALICE0000`))
				return true
			}
		}, status: 200, want: "truncated", calls: 1},
		{name: "connection reset", fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					if tc, ok := conn.(*net.TCPConn); ok {
						_ = tc.SetLinger(0)
					}
					conn.Close()
				}
				return true
			}
		}, want: "could not reach", calls: 3},
		{name: "hang ended by the timeout", mod: func(c *Config) { c.Timeout = 150 * time.Millisecond }, fault: func(int64) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return true
			}
		}, want: "within 150ms", calls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			if tc.fault != nil {
				f.setFault(tc.fault(0))
			}
			c := newTestClient(t, srv.URL, tc.mod)
			id := tc.id
			if id == "" {
				id = "user_2ALICE000000000000000000000"
			}
			u, err := c.User(ctx, id)
			noKey(t, err)
			if got := f.count("/v1/users/" + id); got != tc.calls {
				t.Errorf("%d calls, want %d", got, tc.calls)
			}
			if tc.success {
				if err != nil || u == nil || u.ID != id {
					t.Fatalf("want success after retry, got %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if tc.status != 0 && e.Status != tc.status {
				t.Errorf("status %d, want %d", e.Status, tc.status)
			}
			if tc.code != "" && e.Code != tc.code {
				t.Errorf("code %q, want %q", e.Code, tc.code)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
		})
	}
}

func TestRetryAfterVisible(t *testing.T) {
	f, srv := newFake(t)
	var n atomic.Int64
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if n.Add(1) <= 3 {
			w.Header().Set("Retry-After", "1")
			clerkError(w, 429, "too_many_requests", "slow down")
			return true
		}
		return false
	})
	var waits []time.Duration
	c := newTestClient(t, srv.URL, func(c *Config) {
		c.OnNotice = func(n Notice) {
			if n.Err == nil {
				waits = append(waits, n.Wait)
			}
		}
	})
	_, err := c.Session(context.Background(), "sess_2ALICEACTIVE000000000000000")
	var e *Error
	if !errors.As(err, &e) || !e.GaveUp || e.Waited != 2*time.Second {
		t.Fatalf("err = %v, want a 429 given up after waiting 2 s", err)
	}
	if len(waits) != 2 || !strings.Contains(err.Error(), "waited 2s") {
		t.Errorf("waits %v, err %q", waits, err)
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ key, url, want string }{
		{"", "", "CLERK_SECRET_KEY"},
		{"pk_live_abc", "", "does not start with sk_live_"},
		{testKey, "ftp://x", "not an http(s) origin"},
	} {
		_, err := New(Config{SecretKey: tc.key, BaseURL: tc.url})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, %q) = %v, want %q", tc.key, tc.url, err, tc.want)
		}
		noKey(t, err)
	}
	c, _ := New(Config{SecretKey: "sk_live_abcdefghijklmnop1234"})
	if c.MaskedKey() != "sk_live_…1234" {
		t.Errorf("masked %q", c.MaskedKey())
	}
}

// TestUserAgent: the User-Agent is the one configured (clerkscope's
// version, from main), else a devel one.
func TestUserAgent(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("User-Agent"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"user","id":"user_1"}`))
	}))
	defer srv.Close()
	for _, tc := range []struct{ set, want string }{
		{"github.com/clerkscope/clerkscope/v1.2.0 (go1.26.8)", "github.com/clerkscope/clerkscope/v1.2.0 (go1.26.8)"},
		{"", "github.com/clerkscope/clerkscope/devel (" + runtime.Version() + ")"},
	} {
		c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.UserAgent = tc.set })
		if _, err := c.User(context.Background(), "user_1"); err != nil {
			t.Fatal(err)
		}
		if ua, _ := got.Load().(string); ua != tc.want {
			t.Errorf("UserAgent %q: sent %q, want %q", tc.set, ua, tc.want)
		}
	}
}

func TestPathEscaping(t *testing.T) {
	f, srv := newFake(t)
	c := newTestClient(t, srv.URL, nil)
	_, err := c.User(context.Background(), "../sessions/x?y=1")
	var e *Error
	if !errors.As(err, &e) || e.Status != 404 {
		t.Fatalf("err = %v", err)
	}
	if f.count("/v1/users/../sessions/x?y=1") != 1 && f.count("/v1/users/..%2Fsessions%2Fx%3Fy=1") != 1 {
		for p := range f.s.Calls() {
			if !strings.HasPrefix(p, "/v1/users/") {
				t.Fatalf("an id from a token escaped its path segment: %q", p)
			}
		}
	}
}

func TestBackendForEngine(t *testing.T) {
	_, srv := newFake(t)
	c := newTestClient(t, srv.URL, nil)
	b := NewBackend(c, inspect.Canned{})
	jwks, err := b.JWKS(context.Background())
	if err != nil || len(jwks.Keys) != 1 {
		t.Fatal(err)
	}
	if _, err := b.RefreshSession(context.Background(), "sess_x"); !errors.Is(err, inspect.ErrUnreachable) {
		t.Errorf("refresh must never reach the Backend API: %v", err)
	}
	bad := newTestClient(t, srv.URL, func(c *Config) { c.SecretKey = "sk_test_wrongwrongwrong1234" })
	_, err = NewBackend(bad, inspect.Canned{}).JWKS(context.Background())
	var ae *inspect.APIError
	if !errors.As(err, &ae) || ae.Status != 401 {
		t.Errorf("err %v", err)
	}
}
