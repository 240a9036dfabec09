package har

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/clerkscope/clerkscope/inspect"
)

// Behind a reverse proxy that does not pass the public host and scheme on,
// the SDK sees another URL than the browser sent (http://localhost:3000
// for https://example.com). Its own redirects show which: the redirect_url
// of a handshake or sign-in redirect is built from the URL it saw. Once a
// capture shows that, its requests to that origin are judged at the URL
// the SDK saw, as the server judged them.

// proxyHint is the origin the SDK saw for an origin the browser used.
type proxyHint struct {
	origin string
	entry  int
}

// learnProxy reads an entry's SDK redirect for the origin the SDK saw.
func (a *Analyzer) learnProxy(e *Entry) {
	if e.Response.Status < 300 || e.Response.Status >= 400 {
		return
	}
	loc := e.ResponseHeader("location")
	if !strings.Contains(loc, "/v1/client/handshake") && e.ResponseHeader("x-clerk-redirect-to") == "" {
		return
	}
	target := redirectTarget(loc)
	if target == "" {
		return
	}
	if bad, _ := originMismatch(e.Request.URL, target); !bad {
		return
	}
	from := a.urls.origin(e.Request.URL)
	if _, ok := a.proxied[from]; ok {
		return
	}
	if a.proxied == nil {
		a.proxied = map[string]proxyHint{}
	}
	a.proxied[from] = proxyHint{origin: originOf(target), entry: e.Index}
}

// behindProxy rewrites a request to the URL the SDK saw, when the capture
// showed a proxy in front of its origin.
func (a *Analyzer) behindProxy(req inspect.Request) (inspect.Request, string) {
	if len(a.proxied) == 0 {
		return req, ""
	}
	h, ok := a.proxied[a.urls.origin(req.URL)]
	if !ok {
		return req, ""
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return req, ""
	}
	to, err := url.Parse(h.origin)
	if err != nil || to.Host == "" {
		return req, ""
	}
	u.Scheme, u.Host = to.Scheme, to.Host
	out := req
	out.Headers = append([]inspect.Header(nil), req.Headers...)
	out.URL = u.String()
	out.Set("host", to.Host)
	return out, fmt.Sprintf("judged at %s, the URL the SDK saw behind the proxy (its redirect at entry %d was built for %s)", out.URL, h.entry, h.origin)
}
