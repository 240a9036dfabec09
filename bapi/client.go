// Package bapi is a small, read-only client of Clerk's Backend API: the
// session, user, organization, membership, client, instance and JWKS
// lookups a support engineer needs next to a token. It keeps the HTTP
// status of every failure (HTML, empty and truncated bodies included),
// retries idempotent GETs on 5xx and broken connections, honours
// Retry-After on 429, and never lets the secret key reach an error text.
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
	"sync/atomic"
	"time"

	"clerkscope/inspect"
)

// DefaultAPIVersion is the Clerk-API-Version header sent by default.
const DefaultAPIVersion = "2026-05-12"

// DefaultBaseURL is the Backend API origin.
const DefaultBaseURL = "https://api.clerk.com"

// Config configures a Client.
type Config struct {
	// SecretKey is sk_live_… or sk_test_… (CLERK_SECRET_KEY).
	SecretKey string
	// BaseURL is the origin (CLERK_API_URL); a trailing /v1 is accepted.
	BaseURL string
	// APIVersion is the Clerk-API-Version header (default 2026-05-12).
	APIVersion string
	// UserAgent is the User-Agent header, with clerkscope's version
	// (default "clerkscope/devel (<Go version>)").
	UserAgent string
	// Timeout bounds each attempt (default 10 s).
	Timeout time.Duration
	// MaxRetryAfter caps how long a 429 is waited for (default 30 s);
	// a longer Retry-After gives up at once with the time in the error.
	MaxRetryAfter time.Duration
	// HTTPClient is used instead of a default one (tests).
	HTTPClient *http.Client
	// OnWait is told when the client waits for a Retry-After.
	OnWait func(d time.Duration)
}

// Client talks to one instance's Backend API.
type Client struct {
	cfg   Config
	base  *url.URL
	http  *http.Client
	calls atomic.Int64
	sleep func(ctx context.Context, d time.Duration) error
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
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.RawQuery, u.Fragment = "", ""
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "clerkscope/devel (" + runtime.Version() + ")"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 30 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{cfg: cfg, base: u, http: hc, sleep: sleepCtx}, nil
}

// Calls is how many HTTP requests the client has made.
func (c *Client) Calls() int64 { return c.calls.Load() }

// Instance says which kind of instance the key belongs to.
func (c *Client) KeyKind() string {
	if strings.HasPrefix(c.cfg.SecretKey, "sk_live_") {
		return inspect.Production
	}
	return inspect.Development
}

// MaskedKey is the secret key as it may be shown.
func (c *Client) MaskedKey() string { return inspect.MaskSecret(c.cfg.SecretKey) }

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

// get performs a GET with retries and decodes the JSON answer into out
// (nil to skip); it returns the raw body.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) (json.RawMessage, error) {
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
					return body, &Error{Path: path, Status: 200, Message: "the answer is not the JSON expected: " + err.Error(), Snippet: snippet(body)}
				}
			}
			return body, nil
		}
		var ae *Error
		if !errors.As(err, &ae) {
			return nil, err
		}
		ae.Waited = waited
		switch {
		case ae.Status == http.StatusTooManyRequests:
			wait := ae.RetryAfter
			if wait <= 0 {
				wait = time.Second
			}
			if wait > c.cfg.MaxRetryAfter || attempt >= maxRetries {
				ae.GaveUp = true
				return nil, ae
			}
			if c.cfg.OnWait != nil {
				c.cfg.OnWait(wait)
			}
			waited += wait
			if err := c.sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		case ae.Timeout:
			// A hang is not retried: the user would wait three times as long.
			return nil, ae
		case (ae.Status >= 500 || ae.Transport) && attempt < maxRetries:
			backoff := time.Duration(200*(1<<attempt))*time.Millisecond + time.Duration(rand.IntN(100))*time.Millisecond
			if err := c.sleep(ctx, backoff); err != nil {
				return nil, err
			}
			continue
		}
		return nil, ae
	}
}

func (c *Client) once(ctx context.Context, rawURL, path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("bapi: %s: %v", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.SecretKey)
	req.Header.Set("Clerk-API-Version", c.cfg.APIVersion)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	c.calls.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, &Error{Path: path, Status: resp.StatusCode, Message: "the answer was cut off (" + c.scrub(err.Error()) + ")", Snippet: snippet(body), Transport: true}
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

func (c *Client) transportError(ctx context.Context, path string, err error) error {
	msg := c.scrub(err.Error())
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = c.scrub(ue.Err.Error())
	}
	var ne net.Error
	if ctx.Err() == context.DeadlineExceeded || errors.As(err, &ne) && ne.Timeout() {
		return &Error{Path: path, Message: fmt.Sprintf("no answer from %s within %s", c.base.Host, c.cfg.Timeout), Transport: true, Timeout: true}
	}
	return &Error{Path: path, Message: "could not reach " + c.base.Host + ": " + msg, Transport: true}
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
