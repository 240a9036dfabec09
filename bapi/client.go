// Package bapi is a small, read-only client of Clerk's Backend API: the
// session, user, organization, membership, client, instance and JWKS
// lookups a support engineer needs next to a token. It keeps the HTTP
// status of every failure (HTML, empty and truncated bodies included),
// retries idempotent GETs on 5xx and broken connections, honours
// Retry-After on 429, and never lets the secret key reach an error text.
//
// A run is bounded whatever the API does: after the first timeout or
// exhausted retry on an endpoint the run's later calls to it fail at once
// with the same reason, the Retry-After waits of a run share one budget
// (30 s) and each is announced, redirects are never followed (they would
// carry the secret key elsewhere), and a plain-http API URL is refused
// unless it is this machine or explicitly allowed.
package bapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// DefaultAPIVersion is the Clerk-API-Version header sent by default.
const DefaultAPIVersion = "2026-05-12"

// DefaultBaseURL is the Backend API origin.
const DefaultBaseURL = "https://api.clerk.com"

// AllowHTTPEnv is the environment variable that lets a plain-http
// CLERK_API_URL reach another machine (main reads it into
// Config.AllowHTTP; it is named in the refusal).
const AllowHTTPEnv = "CLERKSCOPE_ALLOW_HTTP_API"

// Config configures a Client.
type Config struct {
	// SecretKey is sk_live_… or sk_test_… (CLERK_SECRET_KEY).
	SecretKey string
	// BaseURL is the origin (CLERK_API_URL); a trailing /v1 is accepted.
	BaseURL string
	// AllowHTTP lets a plain-http BaseURL name another machine; without
	// it only loopback hosts may be reached without TLS.
	AllowHTTP bool
	// APIVersion is the Clerk-API-Version header (default 2026-05-12).
	APIVersion string
	// UserAgent is the User-Agent header, with clerkscope's version
	// (default "github.com/clerkscope/clerkscope/devel (<Go version>)").
	UserAgent string
	// Timeout bounds each attempt (default 10 s).
	Timeout time.Duration
	// MaxRetryAfter caps how long one 429 is waited for (default 30 s);
	// a longer Retry-After gives up at once with the time in the error.
	MaxRetryAfter time.Duration
	// WaitBudget caps the Retry-After waits of the whole run, all calls
	// together (default 30 s).
	WaitBudget time.Duration
	// HTTPClient is used instead of a default one (tests); its redirects
	// are turned off all the same.
	HTTPClient *http.Client
	// OnNotice is told of every wait and of every endpoint given up for
	// the run (main prints them on stderr, the dashboard in its status).
	OnNotice func(Notice)
}

// Notice is something a run's user should hear about while it happens: a
// Retry-After wait, or an endpoint that failed and will not be called
// again in this run.
type Notice struct {
	// Endpoint is the call, e.g. "GET /v1/sessions/{id}".
	Endpoint string
	// Wait is the Retry-After being waited for (zero for a given-up endpoint).
	Wait time.Duration
	// Waited and Budget are the run's waits so far (this one included)
	// and their cap.
	Waited, Budget time.Duration
	// Err is why the endpoint was given up (nil for a wait).
	Err *Error
}

// String is the notice as one line.
func (n Notice) String() string {
	if n.Err != nil {
		return fmt.Sprintf("Backend API %s gave up for this run: %s; its other calls fail at once", n.Endpoint, n.Err.reason())
	}
	return fmt.Sprintf("Backend API rate limited (HTTP 429) on %s: waiting %s as Retry-After asks (%s of this run's %s wait budget used)",
		n.Endpoint, n.Wait.Round(time.Millisecond), n.Waited.Round(time.Millisecond), n.Budget)
}

// Client talks to one instance's Backend API. One client serves one run:
// its endpoint failures and Retry-After budget are the run's.
type Client struct {
	cfg    Config
	base   *url.URL
	http   *http.Client
	calls  atomic.Int64
	sleep  func(ctx context.Context, d time.Duration) error
	notify atomic.Pointer[func(Notice)]

	mu      sync.Mutex
	tripped map[string]*Error // endpoint → the failure that ended it for the run
	waited  time.Duration     // Retry-After waits reserved so far
	hung    bool              // an attempt timed out in this run
	// hungTimeout bounds attempts on the other endpoints once one
	// attempt of the run timed out: a hanging API should not cost the
	// full timeout once per endpoint.
	hungTimeout time.Duration
}

// ErrNoSecretKey is returned when no secret key is configured.
var ErrNoSecretKey = errors.New("no secret key: set CLERK_SECRET_KEY to the instance's sk_live_… or sk_test_… key (Clerk dashboard → API keys)")

// New validates the configuration.
func New(cfg Config) (*Client, error) {
	cfg.SecretKey = strings.TrimSpace(cfg.SecretKey)
	if cfg.SecretKey == "" {
		return nil, ErrNoSecretKey
	}
	if !strings.HasPrefix(cfg.SecretKey, "sk_live_") && !strings.HasPrefix(cfg.SecretKey, "sk_test_") {
		return nil, fmt.Errorf("the secret key %s does not start with sk_live_ or sk_test_: copy it from the Clerk dashboard (API keys)", inspect.MaskSecret(cfg.SecretKey))
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil || u.Scheme == "" || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("CLERK_API_URL %q is not an http(s) origin such as https://api.clerk.com", cfg.BaseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("CLERK_API_URL must not carry a user name or password")
	}
	if u.Scheme == "http" && !cfg.AllowHTTP && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("CLERK_API_URL %s is plain http to another machine: the secret key would cross the network unencrypted; use https, or set %s=1 to allow it", u.Scheme+"://"+u.Host, AllowHTTPEnv)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.RawQuery, u.Fragment = "", ""
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "github.com/clerkscope/clerkscope/devel (" + runtime.Version() + ")"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 30 * time.Second
	}
	if cfg.WaitBudget <= 0 {
		cfg.WaitBudget = 30 * time.Second
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient
		hc = &cp
	}
	// A redirect would carry Authorization: Bearer sk_… to wherever the
	// answer points (Go keeps it for another port of the same host): the
	// 3xx is returned as it is, and reported.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{cfg: cfg, base: u, http: hc, sleep: sleepCtx, tripped: map[string]*Error{}, hungTimeout: 3 * time.Second}
	if cfg.OnNotice != nil {
		fn := cfg.OnNotice
		c.notify.Store(&fn)
	}
	return c, nil
}

// loopback reports whether host is this machine: localhost (and
// *.localhost, RFC 6761) or a loopback address.
func loopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// SetNotice replaces Config.OnNotice (the dashboard takes the notices over
// from stderr once it owns the terminal); nil silences them.
func (c *Client) SetNotice(fn func(Notice)) {
	if fn == nil {
		c.notify.Store(nil)
		return
	}
	c.notify.Store(&fn)
}

func (c *Client) notice(n Notice) {
	if fn := c.notify.Load(); fn != nil {
		(*fn)(n)
	}
}

// Calls is how many HTTP requests the client has made.
func (c *Client) Calls() int64 { return c.calls.Load() }

// KeyKind says which kind of instance the key belongs to.
func (c *Client) KeyKind() string {
	if strings.HasPrefix(c.cfg.SecretKey, "sk_live_") {
		return inspect.Production
	}
	return inspect.Development
}

// MaskedKey is the secret key as it may be shown.
func (c *Client) MaskedKey() string { return inspect.MaskSecret(c.cfg.SecretKey) }

// Reset forgets the endpoints given up so far (the dashboard, when the
// user asks again); the run's wait budget stays spent.
func (c *Client) Reset() {
	c.mu.Lock()
	c.tripped = map[string]*Error{}
	c.hung = false
	c.mu.Unlock()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// trip ends an endpoint for the run and announces it once.
func (c *Client) trip(ep string, e *Error) {
	c.mu.Lock()
	_, already := c.tripped[ep]
	if !already {
		cp := *e
		c.tripped[ep] = &cp
	}
	c.mu.Unlock()
	if !already {
		c.notice(Notice{Endpoint: ep, Err: e})
	}
}

// failFast is the earlier failure of an endpoint given up for the run.
func (c *Client) failFast(ep, path string) *Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.tripped[ep]
	if e == nil {
		return nil
	}
	cp := *e
	cp.Path = path
	cp.Repeat = true
	cp.Endpoint = ep
	return &cp
}

// reserveWait takes d from the run's Retry-After budget, or says how much
// is left when d does not fit.
func (c *Client) reserveWait(d time.Duration) (total time.Duration, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.waited+d > c.cfg.WaitBudget {
		return c.waited, false
	}
	c.waited += d
	return c.waited, true
}

func (c *Client) timeout() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hung && c.cfg.Timeout > c.hungTimeout {
		return c.hungTimeout
	}
	return c.cfg.Timeout
}

// get performs a GET with retries and decodes the JSON answer into out
// (nil to skip); it returns the raw body. ep names the endpoint
// ("/sessions/{id}") the run's budget is kept for.
func (c *Client) get(ctx context.Context, ep, path string, q url.Values, out any) (json.RawMessage, error) {
	ep = "GET /v1" + ep
	if e := c.failFast(ep, path); e != nil {
		return nil, e
	}
	raw := strings.TrimRight(c.base.String(), "/") + "/v1" + path
	if len(q) > 0 {
		raw += "?" + q.Encode()
	}
	const maxRetries = 2
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		body, err := c.once(ctx, raw, path)
		if err == nil {
			if out != nil {
				if err := json.Unmarshal(body, out); err != nil {
					return body, &Error{Path: path, Endpoint: ep, Status: 200, Message: "the answer is not the JSON expected: " + err.Error(), Snippet: snippet(body)}
				}
			}
			return body, nil
		}
		var ae *Error
		if !errors.As(err, &ae) {
			return nil, err
		}
		ae.Endpoint = ep
		ae.Waited = waited
		switch {
		case ae.Status == http.StatusTooManyRequests:
			wait := ae.RetryAfter
			if wait <= 0 {
				wait = time.Second
			}
			if wait > c.cfg.MaxRetryAfter || attempt >= maxRetries {
				ae.GaveUp = true
				c.trip(ep, ae)
				return nil, ae
			}
			total, ok := c.reserveWait(wait)
			if !ok {
				ae.GaveUp, ae.BudgetSpent, ae.Budget = true, total, c.cfg.WaitBudget
				c.trip(ep, ae)
				return nil, ae
			}
			c.notice(Notice{Endpoint: ep, Wait: wait, Waited: total, Budget: c.cfg.WaitBudget})
			waited += wait
			if err := c.sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		case ae.Timeout:
			// A hang is not retried: the user would wait three times as
			// long. The run's other calls to it fail at once, and other
			// endpoints get a shorter timeout.
			c.mu.Lock()
			c.hung = true
			c.mu.Unlock()
			c.trip(ep, ae)
			return nil, ae
		case (ae.Status >= 500 || ae.Transport) && attempt < maxRetries:
			backoff := time.Duration(200*(1<<attempt))*time.Millisecond + time.Duration(rand.IntN(100))*time.Millisecond
			if err := c.sleep(ctx, backoff); err != nil {
				return nil, err
			}
			continue
		case ae.Status >= 500 || ae.Transport:
			ae.Retried = attempt
			c.trip(ep, ae)
		}
		return nil, ae
	}
}

func (c *Client) once(ctx context.Context, rawURL, path string) ([]byte, error) {
	limit := c.timeout()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("bapi: %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.SecretKey)
	req.Header.Set("Clerk-API-Version", c.cfg.APIVersion)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	c.calls.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, path, limit, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return nil, c.transportError(ctx, path, limit, err)
		}
		return nil, &Error{Path: path, Status: resp.StatusCode, Message: "the answer was cut off (" + c.scrub(err.Error()) + ")", Snippet: snippet(body), Transport: true}
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return nil, c.redirectError(path, resp)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.apiError(path, resp, body)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, &Error{Path: path, Status: resp.StatusCode, Message: "the answer is empty"}
	}
	if !json.Valid(body) {
		msg := "the answer is not JSON"
		if strings.HasPrefix(strings.TrimSpace(string(body)), "{") || strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
			msg = "the JSON answer is truncated or malformed"
		}
		return nil, &Error{Path: path, Status: resp.StatusCode, Message: msg, Snippet: snippet(body)}
	}
	return body, nil
}

func (c *Client) scrub(s string) string {
	return strings.ReplaceAll(s, c.cfg.SecretKey, inspect.MaskSecret(c.cfg.SecretKey))
}

func (c *Client) transportError(ctx context.Context, path string, limit time.Duration, err error) error {
	msg := c.scrub(err.Error())
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = c.scrub(ue.Err.Error())
	}
	var ne net.Error
	if ctx.Err() == context.DeadlineExceeded || errors.As(err, &ne) && ne.Timeout() {
		return &Error{Path: path, Message: fmt.Sprintf("no answer from %s within %s", c.base.Host, limit), Transport: true, Timeout: true}
	}
	return &Error{Path: path, Message: "could not reach " + c.base.Host + ": " + msg, Transport: true}
}

// redirectError reports a 3xx without following it.
func (c *Client) redirectError(path string, resp *http.Response) *Error {
	to := resp.Header.Get("Location")
	if u, err := resp.Request.URL.Parse(to); err == nil && to != "" {
		to = u.Scheme + "://" + u.Host + u.Path // no query: it could carry anything
	}
	e := &Error{Path: path, Status: resp.StatusCode, Redirect: c.scrub(to), TraceID: resp.Header.Get("Clerk-Trace-Id")}
	e.Message = "the answer is a redirect"
	if to != "" {
		e.Message += " to " + e.Redirect
	}
	e.Message += ", not followed: it would carry the secret key to another address"
	return e
}

func (c *Client) apiError(path string, resp *http.Response, body []byte) *Error {
	e := &Error{Path: path, Status: resp.StatusCode, TraceID: resp.Header.Get("Clerk-Trace-Id")}
	if e.TraceID == "" {
		e.TraceID = resp.Header.Get("CF-Ray")
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil {
			e.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			e.RetryAfter = time.Until(t)
		}
	}
	var ce struct {
		Errors []struct {
			Message     string `json:"message"`
			LongMessage string `json:"long_message"`
			Code        string `json:"code"`
		} `json:"errors"`
		TraceID string `json:"clerk_trace_id"`
	}
	if err := json.Unmarshal(body, &ce); err == nil && len(ce.Errors) > 0 {
		e.Code, e.Message, e.LongMessage = ce.Errors[0].Code, ce.Errors[0].Message, ce.Errors[0].LongMessage
		if ce.TraceID != "" {
			e.TraceID = ce.TraceID
		}
	} else {
		e.Snippet = snippet(body)
		if len(body) == 0 {
			e.Message = "empty answer"
		} else {
			e.Message = "not a Clerk JSON error"
		}
	}
	e.Message = c.scrub(e.Message)
	e.LongMessage = c.scrub(e.LongMessage)
	return e
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
