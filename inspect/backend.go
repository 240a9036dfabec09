package inspect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Backend answers the Backend API calls the SDK makes while it decides.
// clerkscope never makes the state-changing ones (refresh, handshake nonce
// exchange) against a real instance: a Backend here is a set of canned
// answers, what a HAR response shows, or a read-only client for JWKS.
type Backend interface {
	// JWKS is GET /v1/jwks.
	JWKS(ctx context.Context) (*JWKS, error)
	// RefreshSession is POST /v1/sessions/{sid}/refresh; it returns the
	// Set-Cookie directives of the answer.
	RefreshSession(ctx context.Context, sid string) ([]string, error)
	// HandshakePayload is GET /v1/clients/handshake_payload?nonce=….
	HandshakePayload(ctx context.Context, nonce string) ([]string, error)
	// VerifyMachineToken is the POST …/verify of api keys, M2M tokens and
	// OAuth tokens.
	VerifyMachineToken(ctx context.Context, tokenType, token string) (map[string]any, error)
}

// ErrUnreachable is a transport failure: the SDK could not reach the
// Backend API.
var ErrUnreachable = errors.New("the Backend API could not be reached")

// ErrNotCalled means clerkscope did not make the call (it would change
// state, or there is no key to make it with).
var ErrNotCalled = errors.New("clerkscope did not make this Backend API call")

// APIError is a non-2xx answer of the Backend API.
type APIError struct {
	Status   int
	Codes    []string
	Messages []string
}

func (e *APIError) Error() string {
	if len(e.Codes) > 0 {
		return fmt.Sprintf("Backend API answered %d (%s)", e.Status, strings.Join(e.Codes, ", "))
	}
	return fmt.Sprintf("Backend API answered %d", e.Status)
}

// Canned serves the oracle's canned answers; calls without one fail like an
// unreachable network, exactly as the oracle does.
type Canned struct{ API *CannedAPI }

func (c Canned) reply(pick func(*CannedAPI) *CannedReply) (*CannedReply, error) {
	if c.API == nil || pick(c.API) == nil {
		return nil, ErrUnreachable
	}
	r := pick(c.API)
	status := r.Status
	if status == 0 {
		status = 200
	}
	if status < 200 || status > 299 {
		return nil, apiErrorFromBody(status, r.Body)
	}
	return r, nil
}

func apiErrorFromBody(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var b struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &b) == nil {
		for _, x := range b.Errors {
			e.Codes = append(e.Codes, x.Code)
			e.Messages = append(e.Messages, x.Message)
		}
	}
	return e
}

// JWKS implements Backend.
func (c Canned) JWKS(context.Context) (*JWKS, error) {
	r, err := c.reply(func(a *CannedAPI) *CannedReply { return a.JWKS })
	if err != nil {
		return nil, err
	}
	return ParseJWKS(r.Body, "the canned Backend API answer")
}

// RefreshSession implements Backend.
func (c Canned) RefreshSession(context.Context, string) ([]string, error) {
	r, err := c.reply(func(a *CannedAPI) *CannedReply { return a.RefreshSession })
	if err != nil {
		return nil, err
	}
	var b struct {
		Cookies []string `json:"cookies"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Cookies, nil
}

// HandshakePayload implements Backend.
func (c Canned) HandshakePayload(context.Context, string) ([]string, error) {
	r, err := c.reply(func(a *CannedAPI) *CannedReply { return a.HandshakePayload })
	if err != nil {
		return nil, err
	}
	var b struct {
		Directives []string `json:"directives"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Directives, nil
}

// VerifyMachineToken implements Backend.
func (c Canned) VerifyMachineToken(_ context.Context, tokenType, _ string) (map[string]any, error) {
	r, err := c.reply(func(a *CannedAPI) *CannedReply {
		switch tokenType {
		case TokenTypeAPIKey:
			return a.APIKeys
		case TokenTypeM2M:
			return a.M2M
		default:
			return a.OAuth
		}
	})
	if err != nil {
		return nil, err
	}
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m, nil
}

// Observed answers refresh and handshake-payload calls from what the
// application's real response carried (its Set-Cookie lines), falling back
// to Inner. That is how a capture tells whether a server-side refresh or a
// nonce exchange worked without clerkscope calling the Backend API.
type Observed struct {
	Inner      Backend
	SetCookies []string
	// Resolved is true when the response shows the SDK's handshake
	// resolution headers (Access-Control-Allow-Origin: null).
	Resolved bool
	// AuthStatus and AuthReason are the x-clerk-auth-* headers the
	// response carried.
	AuthStatus string
	AuthReason string
	// HasResponse is set when the capture holds the app's response.
	HasResponse bool
}

// ObservedRefreshCode is a refresh outcome read from the app's answer
// (x-clerk-auth-reason: session-token-expired-refresh-<code>).
type ObservedRefreshCode struct{ Code string }

func (e *ObservedRefreshCode) Error() string {
	return "the app's response shows the refresh ended " + e.Code
}

func (o Observed) sessionCookies() []string {
	for _, sc := range o.SetCookies {
		if strings.HasPrefix(directiveName(sc), CookieSession) {
			return o.SetCookies
		}
	}
	return nil
}

// JWKS implements Backend. When the JWKS cannot be had, the app's own
// answer tells what its JWKS fetch gave: a kid mismatch (a set without the
// token's kid), a rejected secret key, or a set that failed to load.
func (o Observed) JWKS(ctx context.Context) (*JWKS, error) {
	set, err := o.Inner.JWKS(ctx)
	if err == nil || !(errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotCalled)) {
		return set, err
	}
	switch o.AuthReason {
	case JWKKidMismatch:
		return &JWKS{Origin: "the app's response (x-clerk-auth-reason: jwk-kid-mismatch)", Keys: []JWK{{KID: "(a key of another instance)", Err: errors.New("unknown key")}}}, nil
	case SecretKeyInvalid:
		return nil, &APIError{Status: 401, Codes: []string{"clerk_key_invalid"}, Messages: []string{"The app's response says the Backend API rejected its secret key (x-clerk-auth-reason: secret-key-invalid)."}}
	case JWKRemoteFailedToLoad:
		return nil, &APIError{Status: 500}
	}
	return set, err
}

// RefreshSession implements Backend.
func (o Observed) RefreshSession(ctx context.Context, sid string) ([]string, error) {
	cookies, err := o.Inner.RefreshSession(ctx, sid)
	if err == nil {
		return cookies, nil
	}
	if c := o.sessionCookies(); c != nil && o.AuthStatus == "" && !o.Resolved {
		return c, nil
	}
	if code, ok := strings.CutPrefix(o.AuthReason, refreshReasonPrefix); ok && code != "" && (errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotCalled)) {
		return nil, &ObservedRefreshCode{Code: code}
	}
	return nil, err
}

// HandshakePayload implements Backend.
func (o Observed) HandshakePayload(ctx context.Context, nonce string) ([]string, error) {
	d, err := o.Inner.HandshakePayload(ctx, nonce)
	if err == nil {
		return d, nil
	}
	if o.Resolved && len(o.SetCookies) > 0 {
		return o.SetCookies, nil
	}
	return nil, err
}

// VerifyMachineToken implements Backend; the app's answer settles a call
// clerkscope cannot make.
func (o Observed) VerifyMachineToken(ctx context.Context, t, tok string) (map[string]any, error) {
	data, err := o.Inner.VerifyMachineToken(ctx, t, tok)
	if err == nil || !(errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotCalled)) || !o.HasResponse {
		return data, err
	}
	switch {
	case o.AuthReason == TokenInvalid:
		return nil, &APIError{Status: 404}
	case o.AuthReason == SecretKeyInvalid:
		return nil, &APIError{Status: 401}
	}
	return data, err
}
