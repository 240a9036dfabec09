package bapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestNoRedirects: a redirect is reported, never followed, so the secret
// key never reaches the address it points to (another port of the same
// host keeps Authorization in Go's client).
func TestNoRedirects(t *testing.T) {
	var leaked atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"user","id":"user_1"}`))
	}))
	defer other.Close()
	for _, code := range []int{301, 302, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path+"?token=secret", code)
		}))
		c := newTestClient(t, srv.URL, nil)
		_, err := c.User(context.Background(), "user_1")
		srv.Close()
		var e *Error
		if !errors.As(err, &e) || e.Status != code {
			t.Fatalf("%d: err = %v, want the redirect reported", code, err)
		}
		msg := err.Error()
		for _, want := range []string{"not followed", other.URL + "/v1/users/user_1", "CLERK_API_URL must be the Backend API's origin"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%d: %q does not say %q", code, msg, want)
			}
		}
		if strings.Contains(msg, "token=secret") {
			t.Errorf("%d: the redirect's query was printed: %q", code, msg)
		}
		noKey(t, err)
	}
	if leaked.Load() != 0 {
		t.Errorf("the secret key reached the redirect's target %d times", leaked.Load())
	}
	// A client passed in (tests, proxies) gets the same treatment.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{} })
	if _, err := c.User(context.Background(), "user_1"); err == nil || leaked.Load() != 0 {
		t.Errorf("a supplied http.Client followed the redirect: %v, %d", err, leaked.Load())
	}
}

// TestPlainHTTP: http:// reaches only this machine unless allowed, and the
// refusal names the variable that allows it.
func TestPlainHTTP(t *testing.T) {
	for _, tc := range []struct {
		url   string
		allow bool
		ok    bool
	}{
		{"http://api.example.com", false, false},
		{"http://10.0.0.5:8765", false, false},
		{"http://localhost.example.com", false, false},
		{"http://api.example.com", true, true},
		{"http://127.0.0.1:8765", false, true},
		{"http://127.1.2.3:8765/v1", false, true},
		{"http://localhost:8765", false, true},
		{"http://fake.localhost:8765", false, true},
		{"http://[::1]:8765", false, true},
		{"https://api.example.com", false, true},
	} {
		_, err := New(Config{SecretKey: testKey, BaseURL: tc.url, AllowHTTP: tc.allow})
		if tc.ok != (err == nil) {
			t.Errorf("%s (allow %v): err = %v", tc.url, tc.allow, err)
		}
		if err != nil && (!strings.Contains(err.Error(), AllowHTTPEnv+"=1") || !strings.Contains(err.Error(), "unencrypted")) {
			t.Errorf("%s: the refusal does not say how to allow it: %v", tc.url, err)
		}
		noKey(t, err)
	}
	if _, err := New(Config{SecretKey: testKey, BaseURL: "https://user:pw@api.example.com"}); err == nil {
		t.Error("credentials in CLERK_API_URL accepted")
	}
}

// TestEndpointGivenUp: after the first timeout, exhausted retry or
// rate limit given up on an endpoint, the run's other calls to it fail at
// once with the same reason, announced once; other endpoints still work;
// a 404 ends nothing.
func TestEndpointGivenUp(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v1/sessions/") {
			return false
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return true
	}
	fail503 := func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v1/sessions/") {
			return false
		}
		clerkError(w, 503, "service_unavailable", "down")
		return true
	}
	limited := func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v1/sessions/") {
			return false
		}
		w.Header().Set("Retry-After", "120")
		clerkError(w, 429, "too_many_requests", "slow down")
		return true
	}
	for _, tc := range []struct {
		name  string
		fault func(w http.ResponseWriter, r *http.Request) bool
		calls int // attempts that reach the server in all
		want  string
	}{
		{"timeout", hang, 1, "no answer from"},
		{"503 after retries", fail503, 3, "HTTP 503 service_unavailable"},
		{"429 too long", limited, 1, "rate limited"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.setFault(tc.fault)
			var mu sync.Mutex
			var notices []Notice
			c := newTestClient(t, srv.URL, func(cfg *Config) {
				cfg.Timeout = 150 * time.Millisecond
				cfg.OnNotice = func(n Notice) { mu.Lock(); notices = append(notices, n); mu.Unlock() }
			})
			start := time.Now()
			var wg sync.WaitGroup
			errs := make([]error, 20)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// The first call goes alone, so that the others find the endpoint given up.
					if i > 0 {
						time.Sleep(400 * time.Millisecond)
					}
					_, errs[i] = c.Session(context.Background(), fmt.Sprintf("sess_%02d", i))
				}()
			}
			wg.Wait()
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("20 calls took %s", d)
			}
			hits := 0
			for p, n := range f.s.Calls() {
				if strings.HasPrefix(p, "/v1/sessions/") {
					hits += n
				}
			}
			if hits != tc.calls {
				t.Errorf("%d calls reached the API, want %d", hits, tc.calls)
			}
			for i, err := range errs {
				var e *Error
				if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("call %d: %v, want %q", i, err, tc.want)
				}
				if i > 0 && (!e.Repeat || !strings.Contains(err.Error(), "GET /v1/sessions/{id} already failed in this run") || !strings.Contains(err.Error(), fmt.Sprintf("sess_%02d", i))) {
					t.Errorf("call %d did not fail fast: %v", i, err)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("multi-line error %q", err)
				}
			}
			gaveUp := 0
			for _, n := range notices {
				if n.Err != nil {
					gaveUp++
					if !strings.Contains(n.String(), "GET /v1/sessions/{id} gave up for this run") || !strings.Contains(n.String(), tc.want) {
						t.Errorf("notice %q", n)
					}
				}
			}
			if gaveUp != 1 {
				t.Errorf("%d give-up notices, want 1: %v", gaveUp, notices)
			}
			// Another endpoint is not affected.
			if _, err := c.User(context.Background(), "user_2ALICE000000000000000000000"); err != nil {
				t.Errorf("users endpoint: %v", err)
			}
			// Reset (the dashboard's second try) calls again.
			c.Reset()
			_, _ = c.Session(context.Background(), "sess_again")
			if f.count("/v1/sessions/sess_again") == 0 {
				t.Error("Reset did not let the endpoint be tried again")
			}
		})
	}
	t.Run("404 ends nothing", func(t *testing.T) {
		f, srv := newFake(t)
		c := newTestClient(t, srv.URL, nil)
		for i := 0; i < 3; i++ {
			_, _ = c.User(context.Background(), "user_2NOBODY00000000000000000000")
		}
		if f.count("/v1/users/user_2NOBODY00000000000000000000") != 3 {
			t.Error("a 404 gave the endpoint up")
		}
	})
}

// TestHangShortensOtherEndpoints: once one attempt of the run timed out,
// the other endpoints get a short timeout, so a hanging API costs one
// full timeout, not one per endpoint.
func TestHangShortensOtherEndpoints(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Timeout = 800 * time.Millisecond })
	c.hungTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err1 := c.JWKS(context.Background())
	mid := time.Since(start)
	_, err2 := c.User(context.Background(), "user_1")
	rest := time.Since(start) - mid
	if err1 == nil || err2 == nil || !strings.Contains(err2.Error(), "within 300ms") {
		t.Fatalf("errors %v / %v", err1, err2)
	}
	if mid < 800*time.Millisecond || rest > 700*time.Millisecond {
		t.Errorf("first hang %s, second %s: want 800 ms then about 300 ms", mid, rest)
	}
}

// TestWaitBudget: the Retry-After waits of a run share one budget; each
// wait is announced with the budget used; once it is spent the endpoint
// gives up at once instead of waiting more.
func TestWaitBudget(t *testing.T) {
	f, srv := newFake(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "2")
		clerkError(w, 429, "too_many_requests", "slow down")
		return true
	})
	var mu sync.Mutex
	var notices []string
	var slept time.Duration
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetryAfter = 30 * time.Second
		cfg.WaitBudget = 5 * time.Second
		cfg.OnNotice = func(n Notice) { mu.Lock(); notices = append(notices, n.String()); mu.Unlock() }
	})
	c.sleep = func(ctx context.Context, d time.Duration) error { mu.Lock(); slept += d; mu.Unlock(); return nil }
	var errs []error
	for _, id := range []string{"user_a", "user_b", "user_c"} {
		_, err := c.User(context.Background(), id)
		errs = append(errs, err)
	}
	_, err := c.Organization(context.Background(), "acme")
	errs = append(errs, err)
	if slept != 4*time.Second {
		t.Errorf("slept %s, want 4s (two waits of 2 s in a 5 s budget)", slept)
	}
	waits := 0
	for _, n := range notices {
		if strings.Contains(n, "waiting 2s as Retry-After asks") {
			waits++
			if !strings.Contains(n, "of this run's 5s wait budget used") {
				t.Errorf("notice %q does not show the budget", n)
			}
		}
	}
	if waits != 2 {
		t.Errorf("%d wait notices, want 2: %q", waits, notices)
	}
	var e *Error
	if !errors.As(errs[0], &e) || !strings.Contains(errs[0].Error(), "waited 4s, then gave up") {
		t.Errorf("first call: %v", errs[0])
	}
	if !errors.As(errs[1], &e) || !e.Repeat {
		t.Errorf("second call of the same endpoint should fail at once: %v", errs[1])
	}
	if !errors.As(errs[3], &e) || e.Repeat || !strings.Contains(errs[3].Error(), "wait budget") {
		t.Errorf("another endpoint gives up at once on the spent budget: %v", errs[3])
	}
	if f.count("/v1/organizations/acme") != 1 {
		t.Errorf("organizations called %d times", f.count("/v1/organizations/acme"))
	}
}
