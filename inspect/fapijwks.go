package inspect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// FrontendJWKS fetches an instance's public JWKS from its Frontend API,
// https://<frontend-api>/.well-known/jwks.json: the same keys as the
// Backend API's /v1/jwks, served without a secret key. One FrontendJWKS
// serves a whole run and fetches each host once; a failure is remembered
// too, so that it is reported once and not retried for every request.
type FrontendJWKS struct {
	// Client makes the request; nil means http.DefaultClient.
	Client *http.Client
	// BaseURL replaces https://<frontend-api> when set (tests point it at
	// an httptest server).
	BaseURL string
	// Timeout bounds one fetch; zero means 10 s.
	Timeout time.Duration
	// Warn, when set, is told once per host that its fetch failed.
	Warn func(msg string)

	mu   sync.Mutex
	sets map[string]fetchedJWKS
}

type fetchedJWKS struct {
	set *JWKS
	err error
}

// maxJWKSBytes bounds the document read: a JWKS holds a few keys.
const maxJWKSBytes = 1 << 20

// Fetch returns the JWKS of the instance whose Frontend API is host (as a
// publishable key names it, e.g. clerk.example.com).
func (f *FrontendJWKS) Fetch(ctx context.Context, host string) (*JWKS, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if got, ok := f.sets[host]; ok {
		return got.set, got.err
	}
	set, err := f.fetch(ctx, host)
	if f.sets == nil {
		f.sets = map[string]fetchedJWKS{}
	}
	f.sets[host] = fetchedJWKS{set, err}
	if err != nil && f.Warn != nil {
		f.Warn("--fetch-jwks: " + err.Error() + "; the signatures are not verified (no key)")
	}
	return set, err
}

// URL is where the JWKS of the instance at host is fetched from.
func (f *FrontendJWKS) URL(host string) string {
	base := "https://" + host
	if f.BaseURL != "" {
		base = strings.TrimRight(f.BaseURL, "/")
	}
	return base + "/.well-known/jwks.json"
}

func (f *FrontendJWKS) fetch(ctx context.Context, host string) (*JWKS, error) {
	u := f.URL(host)
	if ctx == nil {
		ctx = context.Background()
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", timeout)
		}
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	set, err := ParseJWKS(data, u)
	if err != nil {
		return nil, fmt.Errorf("GET %s: not a JWKS document", u)
	}
	for _, k := range set.Keys {
		if k.Public != nil {
			return set, nil
		}
	}
	return nil, fmt.Errorf("GET %s: the JWKS holds no RSA public key", u)
}
