package har

import (
	"encoding/base64"
	"net/url"
	"path"
	"strings"

	"github.com/clerkscope/clerkscope/inspect"
)

// Class is what an entry is, from Clerk's point of view.
type Class string

// Entry classes.
const (
	ClassDocument          Class = "document"
	ClassFetch             Class = "fetch"
	ClassFAPI              Class = "fapi"
	ClassHandshakeRedirect Class = "handshake-redirect"
	ClassHandshakeReturn   Class = "handshake-return"
	ClassAsset             Class = "asset"
)

// IsApp reports whether the entry went to the application (the SDK judged
// it), as opposed to Clerk's Frontend API.
func (c Class) IsApp() bool { return c != ClassFAPI }

// equalFold is strings.EqualFold, without its call for the names whose
// first bytes already differ: it compares rune by rune from the start, so
// two ASCII first bytes that are not the same letter mean false. Header
// lookups ask it of every header of an entry, and most names differ there.
func equalFold(s, t string) bool {
	if len(s) > 0 && len(t) > 0 && s[0]|t[0] < 0x80 && s[0]|0x20 != t[0]|0x20 {
		return false
	}
	return strings.EqualFold(s, t)
}

// Header returns a request header (case-insensitive, first one).
func (e *Entry) Header(name string) string {
	for _, h := range e.Request.Headers {
		if equalFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// ResponseHeader returns a response header (first one).
func (e *Entry) ResponseHeader(name string) string {
	for _, h := range e.Response.Headers {
		if equalFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// ResponseHeaders returns every value of a response header.
func (e *Entry) ResponseHeaders(name string) []string {
	var out []string
	for _, h := range e.Response.Headers {
		if equalFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}

// SetCookies returns the response's Set-Cookie lines: from the raw
// headers, else rebuilt from the cookies[] array. Some exporters fold
// several Set-Cookie lines into one header value separated by newlines.
func (e *Entry) SetCookies() []string {
	var out []string
	for _, v := range e.ResponseHeaders("set-cookie") {
		for _, l := range strings.Split(v, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, c := range e.Response.Cookies {
		l := c.Name + "=" + c.Value
		if c.Path != "" {
			l += "; Path=" + c.Path
		}
		if c.Domain != "" {
			l += "; Domain=" + c.Domain
		}
		if c.Expires != "" {
			if t := parseTime(c.Expires); !t.IsZero() {
				l += "; Expires=" + t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
			}
		}
		if c.HTTPOnly {
			l += "; HttpOnly"
		}
		if c.Secure {
			l += "; Secure"
		}
		if c.SameSite != "" {
			l += "; SameSite=" + c.SameSite
		}
		out = append(out, l)
	}
	return out
}

// CookieHeader is the Cookie header the request carried: the raw header
// when the exporter kept it, else rebuilt from the cookies[] array.
func (e *Entry) CookieHeader() (string, bool) {
	// Several Cookie headers are joined with "; ", as strings.Join would;
	// the one header a request has is returned as it is, without a slice.
	joined, n := "", 0
	for _, h := range e.Request.Headers {
		if equalFold(h.Name, "cookie") {
			if n == 0 {
				joined = h.Value
			} else {
				joined += "; " + h.Value
			}
			n++
		}
	}
	if n > 0 {
		return joined, true
	}
	if len(e.Request.Cookies) == 0 {
		return "", false
	}
	parts := make([]string, len(e.Request.Cookies))
	for i, c := range e.Request.Cookies {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; "), false
}

// ToRequest turns the entry into the request the application received.
// HTTP/2 pseudo-headers are dropped; the Cookie header is rebuilt from
// cookies[] when the exporter did not keep it.
func (e *Entry) ToRequest() inspect.Request {
	c, _ := e.CookieHeader()
	return e.requestWith(c)
}

// requestWith is ToRequest of an entry whose CookieHeader is c.
func (e *Entry) requestWith(c string) inspect.Request {
	req := inspect.Request{Method: e.Request.Method, URL: e.Request.URL, Headers: make([]inspect.Header, 0, len(e.Request.Headers)+1)}
	for _, h := range e.Request.Headers {
		if strings.HasPrefix(h.Name, ":") || equalFold(h.Name, "cookie") {
			continue
		}
		req.Headers = append(req.Headers, inspect.Header{Name: h.Name, Value: h.Value})
	}
	if c != "" {
		req.Headers = append(req.Headers, inspect.Header{Name: "cookie", Value: c})
	}
	if len(req.Headers) == 0 {
		// Made at its size, but nil when empty, as before.
		req.Headers = nil
	}
	return req
}

// Classifier tells Frontend API traffic from application traffic.
type Classifier struct {
	// FAPIHosts are known Frontend API hosts (from the publishable key or
	// token issuers).
	FAPIHosts map[string]bool
	// ProxyPath is a proxyUrl path on the application's own host.
	ProxyPath string
	// marks, when set, remembers the handshake marks of the Cookie header
	// seen last (an Analyzer's Classifier; not for concurrent use then).
	marks *cookieMarks
	// urls, when set, parses an entry's URL once for the class and the
	// analysis after it (an Analyzer's Classifier, like marks); cached
	// keeps its Cookie header.
	urls   *urlCache
	cached *cachedMemo
}

// cookieHeader is e.CookieHeader(), through the analysis's memo when the
// Classifier has one.
func (c *Classifier) cookieHeader(e *Entry) (string, bool) {
	if c == nil {
		return e.CookieHeader()
	}
	return c.cached.cookieHeader(e)
}

// IsFAPIHost reports whether host is a Clerk Frontend API host.
func (c *Classifier) IsFAPIHost(host string) bool {
	host = strings.ToLower(host)
	if c != nil && c.FAPIHosts[host] {
		return true
	}
	return strings.HasSuffix(host, ".clerk.accounts.dev") || strings.HasSuffix(host, ".clerk.accountsstage.dev") ||
		strings.HasPrefix(host, "clerk.") || host == "api.clerk.com" || host == "img.clerk.com" || host == "frontend-api.clerk.dev"
}

func (c *Classifier) cookieMarks() *cookieMarks {
	if c == nil {
		return nil
	}
	return c.marks
}

// parseURL is url.Parse(raw), nil when it fails, through the cache when
// the Classifier has one; the URL must not be changed.
func (c *Classifier) parseURL(raw string) *url.URL {
	if c != nil && c.urls != nil {
		return c.urls.url(raw)
	}
	return parseURL(raw)
}

// handshakeQuery tells whether a query names __clerk_handshake or
// __clerk_handshake_nonce, as url.ParseQuery reads its keys. A query that
// holds neither name as written and no percent escape cannot, so most are
// not parsed.
func handshakeQuery(raw string) bool {
	if !strings.Contains(raw, "__clerk_handshake") && !strings.Contains(raw, "%") {
		return false
	}
	q, _ := url.ParseQuery(raw)
	return q.Has("__clerk_handshake") || q.Has("__clerk_handshake_nonce")
}

// Classify puts an entry in its class.
func (c *Classifier) Classify(e *Entry) Class {
	u := c.parseURL(e.Request.URL)
	if u == nil {
		return ClassFetch
	}
	if c.IsFAPIHost(u.Hostname()) || c != nil && c.ProxyPath != "" && strings.HasPrefix(u.Path, c.ProxyPath+"/") {
		return ClassFAPI
	}
	if loc := e.ResponseHeader("location"); strings.Contains(loc, "/v1/client/handshake") {
		return ClassHandshakeRedirect
	}
	cookie, _ := c.cookieHeader(e)
	hs, nonce := c.cookieMarks().of(cookie)
	if hs || nonce || handshakeQuery(u.RawQuery) {
		return ClassHandshakeReturn
	}
	dest := strings.ToLower(e.Header("sec-fetch-dest"))
	switch dest {
	case "document", "iframe", "frame":
		return ClassDocument
	case "script", "style", "image", "font", "audio", "video", "track", "manifest", "worker", "serviceworker", "sharedworker":
		return ClassAsset
	}
	switch strings.ToLower(e.ResourceType) {
	case "document":
		return ClassDocument
	case "script", "stylesheet", "image", "font", "media", "manifest":
		return ClassAsset
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".js", ".mjs", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".woff", ".woff2", ".ttf", ".map", ".avif":
		return ClassAsset
	}
	if dest == "" && strings.HasPrefix(e.Header("accept"), "text/html") {
		return ClassDocument
	}
	return ClassFetch
}

// Body returns the response body, decoding base64 content on demand. It is
// empty unless the reader kept bodies.
func (e *Entry) Body() ([]byte, error) {
	c := e.Response.Content
	if c.Encoding == "base64" {
		return base64.StdEncoding.DecodeString(c.Text)
	}
	return []byte(c.Text), nil
}
