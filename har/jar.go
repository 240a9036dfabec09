package har

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// JarCookie is a cookie the browser holds after replaying Set-Cookie lines.
type JarCookie struct {
	Name     string
	Value    string
	Domain   string
	HostOnly bool
	Path     string
	Expires  time.Time // zero: a session cookie
	Secure   bool
	SameSite string
	SetBy    int // entry whose response set it
}

// Jar replays Set-Cookie headers in order (Domain, Path, Expires, Max-Age
// deletion, as RFC 6265 describes) so the story knows which Clerk cookies
// the browser should hold at each moment. Cookies written by clerk-js with
// document.cookie never appear in a Set-Cookie; the jar only knows what
// responses set.
//
// A cookie is found by its (name, domain, path), RFC 6265 §5.3 step 11's
// identity, in a map: replaying n Set-Cookie lines takes time linear in n
// however many cookies they leave.
type Jar struct {
	all     cookieList // every cookie, in the order set
	session cookieList // the Clerk session cookies among them
	index   map[jarKey]jarSlot

	// The request URL of the last line, parsed once for all the lines of
	// a response.
	lastURL  string
	lastHost string
	lastPath string
}

type jarKey struct{ name, domain, path string }

// jarSlot is where a cookie sits in the jar's lists (session -1: not a
// session cookie).
type jarSlot struct{ all, session int }

// cookieList holds cookies in the order they were set; a replaced or
// deleted one leaves a nil until the list is compacted.
type cookieList struct {
	items []*JarCookie
	dead  int
}

// Apply stores one Set-Cookie line received from reqURL at time at.
func (j *Jar) Apply(reqURL string, line string, at time.Time, entry int) {
	if reqURL != j.lastURL || j.lastHost == "" {
		u, err := url.Parse(reqURL)
		if err != nil || u.Hostname() == "" {
			return
		}
		j.lastURL, j.lastHost, j.lastPath = reqURL, strings.ToLower(u.Hostname()), u.Path
	}
	sc := inspect.ParseSetCookie(line)
	if sc.Name == "" {
		return
	}
	host := j.lastHost
	c := &JarCookie{Name: sc.Name, Value: sc.Value, Secure: sc.Secure, SameSite: sc.SameSite, SetBy: entry}
	if d := strings.TrimPrefix(strings.ToLower(sc.Domain), "."); d != "" {
		if !domainMatch(host, d) {
			return // a browser rejects a Domain the host is not part of
		}
		c.Domain = d
	} else {
		c.Domain, c.HostOnly = host, true
	}
	c.Path = sc.Path
	if c.Path == "" || !strings.HasPrefix(c.Path, "/") {
		c.Path = defaultPath(j.lastPath)
	}
	switch {
	case sc.MaxAge != nil:
		c.Expires = at.Add(time.Duration(*sc.MaxAge) * time.Second)
	case sc.Expires != nil:
		c.Expires = *sc.Expires
	}
	if j.index == nil {
		j.index = map[jarKey]jarSlot{}
	}
	key := jarKey{c.Name, c.Domain, c.Path}
	if old, ok := j.index[key]; ok {
		j.all.remove(old.all)
		if old.session >= 0 {
			j.session.remove(old.session)
		}
		delete(j.index, key)
	}
	if !sc.Deletes(at) {
		slot := jarSlot{all: j.all.add(c), session: -1}
		if isClerkSessionCookie(c.Name) {
			slot.session = j.session.add(c)
		}
		j.index[key] = slot
	}
	if j.all.dead > 64 && j.all.dead > len(j.all.items)/2 || j.session.dead > 64 && j.session.dead > len(j.session.items)/2 {
		j.compact()
	}
}

func (l *cookieList) add(c *JarCookie) int {
	l.items = append(l.items, c)
	return len(l.items) - 1
}

func (l *cookieList) remove(i int) {
	l.items[i] = nil
	l.dead++
}

// compact drops the holes of both lists and moves the index with them.
func (j *Jar) compact() {
	for _, l := range []*cookieList{&j.all, &j.session} {
		kept := l.items[:0]
		for _, c := range l.items {
			if c == nil {
				continue
			}
			key := jarKey{c.Name, c.Domain, c.Path}
			slot := j.index[key]
			if l == &j.all {
				slot.all = len(kept)
			} else {
				slot.session = len(kept)
			}
			j.index[key] = slot
			kept = append(kept, c)
		}
		clear(l.items[len(kept):])
		l.items, l.dead = kept, 0
	}
}

// Cookies are what the browser sends to rawURL at time at, most specific
// path first (as browsers order them).
func (j *Jar) Cookies(rawURL string, at time.Time) []*JarCookie {
	return j.all.matching(rawURL, nil, at)
}

// SessionCookies are the Clerk session cookies (__session, __client_uat
// and their suffixed forms) among Cookies: the ones the story checks, found
// without looking at any other cookie the jar holds.
func (j *Jar) SessionCookies(rawURL string, at time.Time) []*JarCookie {
	return j.session.matching(rawURL, nil, at)
}

// matching is the cookies sent to rawURL at at; urls, when not nil,
// parses rawURL (the story's cache, which holds it parsed already).
func (l *cookieList) matching(rawURL string, urls *urlCache, at time.Time) []*JarCookie {
	if len(l.items) == l.dead {
		return nil
	}
	u := urls.url(rawURL) // a nil cache parses
	if u == nil {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	p := u.Path
	if p == "" {
		p = "/"
	}
	var out []*JarCookie
	for _, c := range l.items {
		if c == nil {
			continue
		}
		if !c.Expires.IsZero() && !c.Expires.After(at) {
			continue
		}
		if c.HostOnly && host != c.Domain || !c.HostOnly && !domainMatch(host, c.Domain) {
			continue
		}
		if !pathMatch(p, c.Path) || c.Secure && u.Scheme != "https" && host != "localhost" {
			continue
		}
		out = append(out, c)
	}
	if len(out) > 1 {
		slices.SortStableFunc(out, func(a, b *JarCookie) int { return len(b.Path) - len(a.Path) })
	}
	return out
}

func domainMatch(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func pathMatch(reqPath, cookiePath string) bool {
	if reqPath == cookiePath {
		return true
	}
	if strings.HasPrefix(reqPath, cookiePath) {
		return strings.HasSuffix(cookiePath, "/") || reqPath[len(cookiePath)] == '/'
	}
	return false
}

func defaultPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/"
	}
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// isClerkSessionCookie names the cookies the jar checks.
func isClerkSessionCookie(name string) bool {
	return name == "__session" || strings.HasPrefix(name, "__session_") || name == "__client_uat" || strings.HasPrefix(name, "__client_uat_")
}
