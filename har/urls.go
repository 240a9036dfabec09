package har

import (
	"net/url"
	"strings"
)

// urlCache holds the URL parsed last, with its host and origin worked out
// when first asked: the analysis asks for those of an entry's URL half a
// dozen times (its class, its clock, its proxy, its facts), and net/url's
// parse was a visible part of judging a capture. One Analyzer and its
// Story share one; it is not for concurrent use. A copy shares the parsed
// URL, which no one changes.
type urlCache struct {
	raw string
	u   *url.URL // nil when raw does not parse
	ok  bool
	// hostv and originv are set once hostDone and originDone.
	hostv, originv       string
	hostDone, originDone bool
}

func (c *urlCache) parse(raw string) {
	if c.ok && c.raw == raw {
		return
	}
	*c = urlCache{raw: raw, u: parseURL(raw), ok: true}
}

// parseURL is url.Parse(raw), nil when it fails. The URL of nearly every
// request of a capture is http or https, a host of letters, digits, dots
// and hyphens with a port perhaps, a path of characters that need no
// escape and a query: plainURL reads those in one pass; the others are
// url.Parse's.
func parseURL(raw string) *url.URL {
	if u, ok := plainURL(raw); ok {
		return u
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	return u
}

// plainURL is url.Parse(raw) for a URL of the plain shape (parseURL),
// field for field; ok is false for any other, which it leaves alone.
func plainURL(raw string) (*url.URL, bool) {
	var scheme string
	switch {
	case strings.HasPrefix(raw, "https://"):
		scheme = "https"
	case strings.HasPrefix(raw, "http://"):
		scheme = "http"
	default:
		return nil, false
	}
	i := len(scheme) + 3
	hostStart := i
	for i < len(raw) && (hostByte(raw[i]) || raw[i] == '.' || raw[i] == '-') {
		i++
	}
	if i == hostStart {
		return nil, false
	}
	if i < len(raw) && raw[i] == ':' {
		i++
		digits := i
		for i < len(raw) && '0' <= raw[i] && raw[i] <= '9' {
			i++
		}
		if i == digits {
			return nil, false
		}
	}
	host := raw[hostStart:i]
	pathStart := i
	if i < len(raw) && raw[i] == '/' {
		for i < len(raw) && pathByte(raw[i]) {
			i++
		}
	}
	u := &url.URL{Scheme: scheme, Host: host, Path: raw[pathStart:i]}
	if i == len(raw) {
		return u, true
	}
	if raw[i] != '?' {
		return nil, false
	}
	q := raw[i+1:]
	for j := 0; j < len(q); j++ {
		if c := q[j]; c <= ' ' || c >= 0x7f || c == '#' {
			return nil, false
		}
	}
	u.RawQuery, u.ForceQuery = q, q == ""
	return u, true
}

// hostByte is a letter or a digit.
func hostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// pathByte is a byte a path holds as it is: net/url neither unescapes nor
// escapes it (so RawPath stays empty).
func pathByte(c byte) bool {
	if hostByte(c) {
		return true
	}
	switch c {
	case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@':
		return true
	}
	return false
}

// url is url.Parse(raw), nil when it fails; the caller must not change it.
// A nil cache parses each time.
func (c *urlCache) url(raw string) *url.URL {
	if c == nil {
		return parseURL(raw)
	}
	c.parse(raw)
	return c.u
}

// host is hostOf(raw). A nil cache parses each time.
func (c *urlCache) host(raw string) string {
	if c == nil {
		return hostOf(raw)
	}
	c.parse(raw)
	if !c.hostDone {
		c.hostDone = true
		if c.u != nil {
			c.hostv = strings.ToLower(c.u.Host)
		}
	}
	return c.hostv
}

// origin is originOf(raw). A nil cache parses each time.
func (c *urlCache) origin(raw string) string {
	if c == nil {
		return originOf(raw)
	}
	c.parse(raw)
	if !c.originDone {
		c.originDone = true
		if c.u == nil || c.u.Host == "" {
			c.originv = raw
		} else {
			c.originv = c.u.Scheme + "://" + c.u.Host
		}
	}
	return c.originv
}

// urlCache is the story's, nil without one (and for a nil story).
func (s *Story) urlCache() *urlCache {
	if s == nil {
		return nil
	}
	return s.urls
}

// cookieMarks remembers whether the Cookie header seen last names the
// handshake token or its nonce: classifying an entry and reading its facts
// both ask, of a header a capture repeats on every request. Like urlCache,
// one Analyzer and its Story share one; nil asks each time.
type cookieMarks struct {
	raw              string
	handshake, nonce bool
	ok               bool
}

const (
	markHandshake = "__clerk_handshake="
	markNonce     = "__clerk_handshake_nonce="
)

func (m *cookieMarks) of(cookie string) (handshake, nonce bool) {
	if m == nil {
		return strings.Contains(cookie, markHandshake), strings.Contains(cookie, markNonce)
	}
	if !m.ok || m.raw != cookie {
		m.raw, m.ok = cookie, true
		m.handshake, m.nonce = strings.Contains(cookie, markHandshake), strings.Contains(cookie, markNonce)
	}
	return m.handshake, m.nonce
}

// issuerHost is hostOf a token's issuer, through the story's cache of the
// issuer seen last (nil parses each time).
func (s *Story) issuerHost(iss string) string {
	if s == nil {
		return hostOf(iss)
	}
	return s.issuers.host(iss)
}

// marks is the story's cookie marks, nil without a story.
func (s *Story) marks() *cookieMarks {
	if s == nil {
		return nil
	}
	return s.cookieMarks
}

// cachedMemo holds Entry.Cached of the entry asked about last: the clock,
// the agreement with the response and the facts each ask of every entry
// (a dozen header lookups). Like urlCache, one Analyzer and its Story
// share one; a nil one asks each time.
type cachedMemo struct {
	e      *Entry
	index  int
	cached bool
	why    string
	// clerk is hasClerkHeaders of the entry, once clerkDone.
	clerk, clerkDone bool
	// cookie and cookieRaw are CookieHeader of the entry, once
	// cookieDone: a request without a Cookie header has it rebuilt from
	// its cookies[] each time it is asked.
	cookie                string
	cookieRaw, cookieDone bool
}

func (c *cachedMemo) of(e *Entry) (bool, string) {
	if c == nil {
		return e.Cached()
	}
	c.entry(e)
	return c.cached, c.why
}

// entry makes the memo e's, working out Cached.
func (c *cachedMemo) entry(e *Entry) {
	if c.e != e || c.index != e.Index {
		*c = cachedMemo{e: e, index: e.Index}
		c.cached, c.why = e.Cached()
	}
}

// cookieHeader is e.CookieHeader(), asked of an entry by its class, its
// request and its story.
func (c *cachedMemo) cookieHeader(e *Entry) (string, bool) {
	if c == nil {
		return e.CookieHeader()
	}
	c.entry(e)
	if !c.cookieDone {
		c.cookie, c.cookieRaw = e.CookieHeader()
		c.cookieDone = true
	}
	return c.cookie, c.cookieRaw
}

// clerkHeaders is hasClerkHeaders(e), asked of an entry by its
// agreement, its clock and its facts.
func (c *cachedMemo) clerkHeaders(e *Entry) bool {
	if c == nil {
		return hasClerkHeaders(e)
	}
	c.entry(e)
	if !c.clerkDone {
		c.clerk, c.clerkDone = hasClerkHeaders(e), true
	}
	return c.clerk
}

// cachedOf is Entry.Cached through the story's memo.
func (s *Story) cachedOf(e *Entry) (bool, string) {
	if s == nil {
		return e.Cached()
	}
	return s.cached.of(e)
}

// clerkHeaders is hasClerkHeaders through the story's memo.
func (s *Story) clerkHeaders(e *Entry) bool {
	if s == nil {
		return hasClerkHeaders(e)
	}
	return s.cached.clerkHeaders(e)
}

// cookieHeader is CookieHeader through the story's memo.
func (s *Story) cookieHeader(e *Entry) (string, bool) {
	if s == nil {
		return e.CookieHeader()
	}
	return s.cached.cookieHeader(e)
}
