package inspect

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// Cookie is one name=value pair of a Cookie header, in the order sent.
type Cookie struct {
	Name string `json:"name"`
	// Value is percent-decoded the way the SDK's cookie parser does it
	// (decodeURIComponent when the value holds a '%', the raw text when that
	// fails).
	Value string `json:"value"`
	// Raw is the value as it appeared on the wire.
	Raw string `json:"-"`
	// Shadowed is true when an earlier cookie of the same name exists: the
	// SDK reads only the first one.
	Shadowed bool `json:"shadowed,omitempty"`
}

// ParseCookieHeader splits a Cookie header exactly as the SDK's parser
// (the npm package cookie 1.1.1) does, keeping every occurrence in order.
// Segments without '=' are skipped; names and values are trimmed of spaces
// and tabs. A header is parsed once (see memo.go): the slice is shared by
// every caller that parses the same header, and must not be changed.
func ParseCookieHeader(str string) []Cookie { return cookiesOf(str).list }

func parseCookieHeader(str string) []Cookie {
	n := len(str)
	if n < 2 {
		return nil
	}
	var out []Cookie
	// seen is made only for a header of many cookies; a few are compared
	// with the ones before.
	var seen map[string]bool
	shadowed := func(name string) bool {
		if seen != nil {
			return seen[name]
		}
		for _, c := range out {
			if c.Name == name {
				return true
			}
		}
		return false
	}
	index := 0
	for index < n {
		eq := strings.IndexByte(str[index:], '=')
		if eq < 0 {
			break
		}
		eq += index
		end := strings.IndexByte(str[index:], ';')
		if end < 0 {
			end = n
		} else {
			end += index
		}
		if eq > end {
			index = strings.LastIndexByte(str[:eq], ';') + 1
			continue
		}
		name := trimSpTab(str[index:eq])
		raw := trimSpTab(str[eq+1 : end])
		c := Cookie{Name: name, Value: decodeCookieValue(raw), Raw: raw, Shadowed: shadowed(name)}
		if out == nil {
			out = make([]Cookie, 0, strings.Count(str[index:], ";")+1)
		}
		out = append(out, c)
		switch {
		case seen != nil:
			seen[name] = true
		case len(out) > 16:
			seen = make(map[string]bool, 2*len(out))
			for _, c := range out {
				seen[c.Name] = true
			}
		}
		index = end + 1
	}
	return out
}

func trimSpTab(s string) string { return strings.Trim(s, " \t") }

func decodeCookieValue(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if d, ok := js.DecodeURIComponent(s); ok {
		return d
	}
	return s
}

// cookieMap returns the first value of every name, as the SDK sees them.
func cookieMap(list []Cookie) map[string]string {
	m := make(map[string]string, len(list))
	for _, c := range list {
		if !c.Shadowed {
			m[c.Name] = c.Value
		}
	}
	return m
}

// SetCookie is one parsed Set-Cookie line with all its attributes.
type SetCookie struct {
	Name        string     `json:"name"`
	Value       string     `json:"value"`
	Domain      string     `json:"domain,omitempty"`
	Path        string     `json:"path,omitempty"`
	Expires     *time.Time `json:"expires,omitempty"`
	MaxAge      *int       `json:"maxAge,omitempty"`
	Secure      bool       `json:"secure,omitempty"`
	HTTPOnly    bool       `json:"httpOnly,omitempty"`
	Partitioned bool       `json:"partitioned,omitempty"`
	SameSite    string     `json:"sameSite,omitempty"`
	Priority    string     `json:"priority,omitempty"`
	Raw         string     `json:"-"`
}

// Deletes reports whether the directive removes the cookie (Max-Age <= 0 or
// an Expires in the past relative to at).
func (c SetCookie) Deletes(at time.Time) bool {
	if c.MaxAge != nil {
		return *c.MaxAge <= 0
	}
	return c.Expires != nil && !c.Expires.After(at)
}

// ParseSetCookie parses one Set-Cookie line the way the cookie package's
// parseSetCookie does; unknown attributes are ignored, a bad Max-Age or
// Expires is dropped.
func ParseSetCookie(line string) SetCookie {
	line = strings.TrimSpace(line)
	sc := SetCookie{Raw: line}
	parts := strings.Split(line, ";")
	first := parts[0]
	if name, value, ok := strings.Cut(first, "="); ok {
		sc.Name = trimSpTab(name)
		sc.Value = decodeCookieValue(trimSpTab(value))
	} else {
		sc.Value = decodeCookieValue(trimSpTab(first))
	}
	for _, attr := range parts[1:] {
		key, val, hasVal := strings.Cut(attr, "=")
		key = strings.ToLower(trimSpTab(key))
		val = trimSpTab(val)
		switch key {
		case "httponly":
			sc.HTTPOnly = true
		case "secure":
			sc.Secure = true
		case "partitioned":
			sc.Partitioned = true
		case "domain":
			if hasVal {
				sc.Domain = val
			}
		case "path":
			if hasVal {
				sc.Path = val
			}
		case "max-age":
			// RFC 6265 §5.2.2: a leading digit or '-' and digits only; a
			// value too large for a number still sets an expiry (browsers
			// clamp it; RFC 6265bis caps it at 400 days).
			if n, ok := maxAge(val); ok {
				sc.MaxAge = &n
			}
		case "expires":
			if t, err := http.ParseTime(val); err == nil {
				sc.Expires = &t
			} else if t, err := time.Parse("Mon, 02-Jan-2006 15:04:05 MST", val); err == nil {
				sc.Expires = &t
			} else if t, err := time.Parse(time.RFC3339, val); err == nil {
				sc.Expires = &t
			}
		case "samesite":
			switch v := strings.ToLower(val); v {
			case "lax", "strict", "none":
				sc.SameSite = v
			}
		case "priority":
			switch v := strings.ToLower(val); v {
			case "low", "medium", "high":
				sc.Priority = v
			}
		}
	}
	return sc
}

// directiveName and directiveValue split a Set-Cookie directive the way the
// SDK's getCookieName/getCookieValue do: on the first ';' and then on '='
// (the value stops at a second '=').
func directiveName(d string) string {
	first, _, _ := strings.Cut(d, ";")
	name, _, _ := strings.Cut(first, "=")
	return name
}

func directiveValue(d string) (string, bool) {
	first, _, _ := strings.Cut(d, ";")
	parts := strings.Split(first, "=")
	if len(parts) < 2 {
		return "", false
	}
	return parts[1], true
}

// maxAgeCap is RFC 6265bis's cap on a cookie's lifetime: 400 days.
const maxAgeCap = 400 * 24 * 3600

// maxAge reads a Max-Age attribute value (RFC 6265 §5.2.2), clamping what
// overflows instead of dropping it.
func maxAge(val string) (int, bool) {
	digits := strings.TrimPrefix(val, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(val)
	if err == nil {
		return n, true
	}
	if strings.HasPrefix(val, "-") {
		return -1, true
	}
	return maxAgeCap, true
}
