package har

import (
	"net/url"
	"sort"
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
type Jar struct {
	cookies []*JarCookie
}

// Apply stores one Set-Cookie line received from reqURL at time at.
func (j *Jar) Apply(reqURL string, line string, at time.Time, entry int) {
	u, err := url.Parse(reqURL)
	if err != nil || u.Hostname() == "" {
		return
	}
	sc := inspect.ParseSetCookie(line)
	if sc.Name == "" {
		return
	}
	host := strings.ToLower(u.Hostname())
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
		c.Path = defaultPath(u.Path)
	}
	switch {
	case sc.MaxAge != nil:
		c.Expires = at.Add(time.Duration(*sc.MaxAge) * time.Second)
	case sc.Expires != nil:
		c.Expires = *sc.Expires
	}
	kept := j.cookies[:0]
	for _, old := range j.cookies {
		if old.Name == c.Name && old.Domain == c.Domain && old.Path == c.Path {
			continue
		}
		kept = append(kept, old)
	}
	j.cookies = kept
	if sc.Deletes(at) {
		return
	}
	j.cookies = append(j.cookies, c)
}

// Cookies are what the browser sends to rawURL at time at, most specific
// path first (as browsers order them).
func (j *Jar) Cookies(rawURL string, at time.Time) []*JarCookie {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	p := u.Path
	if p == "" {
		p = "/"
	}
	var out []*JarCookie
	for _, c := range j.cookies {
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
	sort.SliceStable(out, func(a, b int) bool { return len(out[a].Path) > len(out[b].Path) })
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
