package inspect

import (
	"errors"
	"fmt"
	"strings"

	"clerkscope/inspect/internal/js"
)

// Verdict is the engine's answer for one request.
type Verdict struct {
	Status  string `json:"status"`
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

func (j *judge) signedIn(claims any, token string, headers *respHeaders) {
	j.v.Status, j.v.Reason, j.v.Message = SignedIn, "", ""
	j.v.TokenType = TokenTypeSession
	a := signedInAuth(claims)
	if s, ok := a.SessionStatus.(string); ok && s == sessionStatusPending {
		j.v.AuthAllowPending = a
		j.v.Auth = signedOutAuth(sessionStatusPending)
	} else {
		j.v.Auth = a
	}
	if tok, err := j.decode(token); err == nil {
		j.v.Token = tok
	}
	if headers == nil {
		headers = &respHeaders{}
	}
	j.finishHeaders(headers)
}

func (j *judge) signedOut(reason, message string, headers *respHeaders) {
	j.v.Status, j.v.Reason, j.v.Message = SignedOut, reason, message
	j.v.TokenType = TokenTypeSession
	j.v.Auth = signedOutAuth(nil)
	if headers == nil {
		headers = &respHeaders{}
	}
	j.finishHeaders(headers)
}

func (j *judge) signedOutMachine(tokenType, reason, message string) {
	j.v.Status, j.v.Reason, j.v.Message = SignedOut, reason, message
	j.v.TokenType = tokenType
	if tokenType == TokenTypeSession {
		j.v.Auth = signedOutAuth(nil)
	} else {
		j.v.Auth = unauthenticatedMachineAuth(tokenType)
	}
	j.finishHeaders(&respHeaders{})
}

// finishHeaders is withDebugHeaders plus the parsed Location.
func (j *judge) finishHeaders(h *respHeaders) {
	h = h.clone()
	if j.v.Message != "" && headerSafe(j.v.Message) {
		h.set(HeaderAuthMessage, j.v.Message)
	}
	if j.v.Reason != "" && headerSafe(j.v.Reason) {
		h.set(HeaderAuthReason, j.v.Reason)
	}
	if j.v.Status != SignedIn && j.v.Status != "" {
		h.set(HeaderAuthStatus, j.v.Status)
	}
	j.v.Headers = h.list
	j.v.Location = h.get(HeaderLocation)
	j.v.Redirect = nil
	if j.v.Location != "" {
		if u, err := js.ParseURL(j.v.Location); err == nil {
			j.v.Redirect = &Redirect{Origin: u.Origin(), Pathname: u.Pathname(), Params: u.Params()}
		}
	}
}

func headerSafe(s string) bool {
	for _, c := range s {
		if c == '\r' || c == '\n' || c == 0 || c > 0xff {
			return false
		}
	}
	return true
}
