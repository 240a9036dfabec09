package inspect

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// Verdict is the engine's answer for one request.
type Verdict struct {
	Status  Status `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	// Error is the exception text when Status is Throws.
	Error     string `json:"error,omitempty"`
	TokenType any    `json:"tokenType"`
	Auth      *Auth  `json:"auth"`
	// AuthAllowPending is toAuth({treatPendingAsSignedOut: false}) when it
	// differs from Auth (a pending session).
	AuthAllowPending *Auth      `json:"authAllowPending,omitempty"`
	Headers          []Header   `json:"headers"`
	Location         string     `json:"location,omitempty"`
	Redirect         *Redirect  `json:"-"`
	CookieSet        *CookieSet `json:"cookieSet,omitempty"`
	Signature        *Signature `json:"signature,omitempty"`
	Instance         Instance   `json:"instance"`
	Evidence         []Step     `json:"evidence"`
	BAPICalls        []BAPICall `json:"bapiCalls,omitempty"`
	Logs             []string   `json:"logs,omitempty"`
	Assumptions      []string   `json:"assumptions,omitempty"`
	// Token is the session token the verdict is about (cookie, header, or
	// the one a handshake or refresh delivered), decoded.
	Token        *JWT   `json:"-"`
	TokenCarrier string `json:"tokenCarrier,omitempty"`
}

// Header returns a response header value (set-cookie lines joined).
func (v *Verdict) Header(name string) (string, bool) {
	var vals []string
	for _, h := range v.Headers {
		if strings.EqualFold(h.Name, name) {
			vals = append(vals, h.Value)
		}
	}
	if len(vals) == 0 {
		return "", false
	}
	return strings.Join(vals, ", "), true
}

// GetTokenType is TokenType as a string: "" for null (a token type
// acceptsToken does not list, or an exception).
func (v *Verdict) GetTokenType() string {
	s, _ := v.TokenType.(string)
	return s
}

// SetCookies returns the Set-Cookie lines of the response.
func (v *Verdict) SetCookies() []string {
	var out []string
	for _, h := range v.Headers {
		if strings.EqualFold(h.Name, HeaderSetCookie) {
			out = append(out, h.Value)
		}
	}
	return out
}

// Step is one check of the decision procedure and what it found.
type Step struct {
	ID      string `json:"id"`
	Check   string `json:"check"`
	Found   string `json:"found"`
	Outcome string `json:"outcome,omitempty"`
}

// CookieSet says which cookie set the SDK reads and why.
type CookieSet struct {
	Suffixed bool   `json:"suffixed"`
	Suffix   string `json:"suffix,omitempty"`
	Rule     string `json:"rule"`
	Why      string `json:"why"`
	// Read are the names of the cookies the SDK takes its values from
	// once the set is chosen (authenticateContext's cookie fields), in
	// the order it reads them; a request may lack any of them.
	Read []string `json:"-"`
}

// Redirect is a parsed Location header.
type Redirect struct {
	Origin   string     `json:"origin"`
	Pathname string     `json:"pathname"`
	Params   []js.Param `json:"-"`
}

// ParamList returns the query parameters in order.
func (r *Redirect) ParamList() [][2]string {
	out := make([][2]string, len(r.Params))
	for i, p := range r.Params {
		out[i] = [2]string{p.Name, p.Value}
	}
	return out
}

// Param returns the first value of a query parameter.
func (r *Redirect) Param(name string) (string, bool) {
	for _, p := range r.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// BAPICall is a Backend API call the SDK made (or would make) while deciding.
type BAPICall struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Query    string `json:"query,omitempty"`
	Answered string `json:"answered"`
	// Changes is true for calls that change state on Clerk's side;
	// clerkscope never makes those against a real instance.
	Changes bool `json:"changesState,omitempty"`
}

func answeredText(err error) string {
	var ae *APIError
	switch {
	case err == nil:
		return "200"
	case errors.As(err, &ae):
		return fmt.Sprint(ae.Status)
	case errors.Is(err, ErrNotCalled):
		return "not-called"
	default:
		return "network-error"
	}
}

// Instance describes the Clerk instance the request is judged against.
type Instance struct {
	PublishableKey string `json:"publishableKey,omitempty"`
	Type           string `json:"type,omitempty"`
	FrontendAPI    string `json:"frontendApi,omitempty"`
	CookieSuffix   string `json:"cookieSuffix,omitempty"`
	ProxyURL       string `json:"proxyUrl,omitempty"`
	IsSatellite    bool   `json:"isSatellite,omitempty"`
	Domain         string `json:"domain,omitempty"`
	Inferred       string `json:"inferred,omitempty"`
}

// respHeaders is the Fetch Headers object the SDK builds: set replaces,
// append adds; set-cookie lines stay separate.
type respHeaders struct{ list []Header }

func (h *respHeaders) set(name, value string) {
	name = strings.ToLower(name)
	kept := h.list[:0]
	for _, x := range h.list {
		if x.Name != name {
			kept = append(kept, x)
		}
	}
	h.list = append(kept, Header{name, value})
}

func (h *respHeaders) append(name, value string) {
	name = strings.ToLower(name)
	if name != HeaderSetCookie {
		for i, x := range h.list {
			if x.Name == name {
				h.list[i].Value = x.Value + ", " + value
				return
			}
		}
	}
	h.list = append(h.list, Header{name, value})
}

func (h *respHeaders) get(name string) string {
	for _, x := range h.list {
		if x.Name == name {
			return x.Value
		}
	}
	return ""
}

func (h *respHeaders) clone() *respHeaders {
	return &respHeaders{list: append([]Header(nil), h.list...)}
}

// state is a request state of authStatus.ts, what authenticateRequest
// returns: every step that ends the decision returns one, and Judge writes
// the one the request ends with into the verdict. A state a step looked at
// and set aside (a handshake that could not redirect) is simply dropped.
type state struct {
	status    Status
	reason    string
	message   string
	tokenType any
	auth      *Auth
	// authAllowPending is toAuth({treatPendingAsSignedOut: false}) when it
	// differs from auth (a pending session).
	authAllowPending *Auth
	// token is the session token a signed-in state rests on.
	token    *JWT
	headers  []Header
	location string
	redirect *Redirect
}

// redirected reports whether the state sends the browser to a handshake.
func (s state) redirected() bool { return s.status == Handshake }

// apply writes the state into the verdict.
func (v *Verdict) apply(s state) {
	v.Status, v.Reason, v.Message = s.status, s.reason, s.message
	v.TokenType, v.Auth, v.AuthAllowPending = s.tokenType, s.auth, s.authAllowPending
	v.Headers, v.Location, v.Redirect = s.headers, s.location, s.redirect
	if s.token != nil {
		v.Token = s.token
	}
}

// signedIn is authStatus.ts's signedIn for a session token: toAuth() of a
// pending session is signed out unless pending sessions are accepted.
func (j *judge) signedIn(claims any, token string, headers *respHeaders) state {
	s := state{status: SignedIn, tokenType: TokenTypeSession}
	a := j.authOf(claims, token)
	if a.Pending() {
		s.authAllowPending = a
		s.auth = signedOutAuth(sessionStatusPending)
	} else {
		s.auth = a
	}
	if tok, err := j.decode(token); err == nil {
		s.token = tok
	}
	return withDebugHeaders(s, headers)
}

// signedInMachine is signedIn for a machine token.
func signedInMachine(tokenType string, a *Auth, token *JWT) state {
	return withDebugHeaders(state{status: SignedIn, tokenType: tokenType, auth: a, token: token}, nil)
}

// signedOut is authStatus.ts's signedOut for a session token.
func signedOut(reason, message string, headers *respHeaders) state {
	s := state{status: SignedOut, reason: reason, message: message, tokenType: TokenTypeSession, auth: signedOutAuth(nil)}
	return withDebugHeaders(s, headers)
}

// signedOutMachine is signedOut for a token type of acceptsToken: a
// machine type gets unauthenticatedMachineObject.
func signedOutMachine(tokenType, reason, message string) state {
	s := state{status: SignedOut, reason: reason, message: message, tokenType: tokenType}
	if tokenType == TokenTypeSession {
		s.auth = signedOutAuth(nil)
	} else {
		s.auth = unauthenticatedMachineAuth(tokenType)
	}
	return withDebugHeaders(s, nil)
}

// signedOutInvalidToken is authStatus.ts's signedOutInvalidToken: a token
// type acceptsToken does not list, so no token type at all.
func signedOutInvalidToken() state {
	return withDebugHeaders(state{status: SignedOut, reason: TokenTypeMismatch, auth: &Auth{TokenType: nil}}, nil)
}

// handshake is authStatus.ts's handshake.
func handshake(reason, message string, headers *respHeaders) state {
	return withDebugHeaders(state{status: Handshake, reason: reason, message: message, tokenType: TokenTypeSession}, headers)
}

// withDebugHeaders is authStatus.ts's withDebugHeaders (the x-clerk-auth-*
// headers), plus the parsed Location.
func withDebugHeaders(s state, headers *respHeaders) state {
	if headers == nil {
		// No headers of the state's own, so no Location: the debug
		// headers alone, shared by every state alike.
		s.headers = debugHeaders(s.status, s.reason, s.message)
		return s
	}
	h := &respHeaders{}
	if headers != nil {
		h = headers.clone()
	}
	if s.message != "" && headerSafe(s.message) {
		h.set(HeaderAuthMessage, s.message)
	}
	if s.reason != "" && headerSafe(s.reason) {
		h.set(HeaderAuthReason, s.reason)
	}
	if s.status != SignedIn && s.status != "" {
		h.set(HeaderAuthStatus, string(s.status))
	}
	s.headers = h.list
	s.location = h.get(HeaderLocation)
	if s.location != "" {
		if u, err := js.ParseURL(s.location); err == nil {
			s.redirect = &Redirect{Origin: u.Origin(), Pathname: u.Pathname(), Params: u.Params()}
		}
	}
	return s
}

// debugKey is a state as its debug headers show it.
type debugKey struct {
	status          Status
	reason, message string
}

// debugSets keeps the debug headers of the states seen last: a capture's
// verdicts repeat a few (the message of an expired token changes once a
// second). A slice handed out is shared and never changed.
// lastDebug is the set handed out last, which the verdicts of a capture's
// requests judged alike ask for again: finding it compares the key's
// strings, where the memo hashes them.
var (
	debugSets = newMemo[debugKey, *debugSet](64)
	lastDebug atomic.Pointer[debugSet]
)

// debugSet is the debug headers of a debugKey.
type debugSet struct {
	debugKey
	headers []Header
}

// debugHeaders are the x-clerk-auth-* headers of a state without headers
// of its own (nil when there are none).
func debugHeaders(status Status, reason, message string) []Header {
	k := debugKey{status, reason, message}
	if d := lastDebug.Load(); d != nil && d.debugKey == k {
		return d.headers
	}
	if d, ok := debugSets.get(k); ok {
		lastDebug.Store(d)
		return d.headers
	}
	h := &respHeaders{}
	if message != "" && headerSafe(message) {
		h.set(HeaderAuthMessage, message)
	}
	if reason != "" && headerSafe(reason) {
		h.set(HeaderAuthReason, reason)
	}
	if status != SignedIn && status != "" {
		h.set(HeaderAuthStatus, string(status))
	}
	d := &debugSet{k, h.list[:len(h.list):len(h.list)]}
	debugSets.put(k, d)
	lastDebug.Store(d)
	return d.headers
}

func headerSafe(s string) bool {
	for _, c := range s {
		if c == '\r' || c == '\n' || c == 0 || c > 0xff {
			return false
		}
	}
	return true
}
