package inspect

import (
	"regexp"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

var suffixedName = regexp.MustCompile(`^__(?:session|client_uat|clerk_db_jwt|refresh)_([A-Za-z0-9_-]{8})$`)

// suffixFromCookieNames finds the cookie suffix in names like
// __client_uat_naoXFJnI when the publishable key is not known.
func suffixFromCookieNames(list []Cookie) string {
	for _, c := range list {
		if m := suffixedName.FindStringSubmatch(c.Name); m != nil {
			return m[1]
		}
	}
	return ""
}

// InferPublishableKey rebuilds the instance's publishable key from the
// issuer of a token in the request (a session token in a cookie or the
// Authorization header, or a handshake token's session directive). It
// returns "" when no token names its issuer.
func InferPublishableKey(req Request) (key, from string) {
	try := func(tok, where string) bool {
		j, err := DecodeJWT(tok)
		if err != nil {
			return false
		}
		iss := j.ClaimString("iss")
		if iss == "" || !strings.Contains(iss, ".") {
			return false
		}
		key, from = BuildPublishableKey(stripScheme(iss)), "iss "+iss+" of "+where
		return true
	}
	for _, c := range req.Cookies() {
		if strings.HasPrefix(c.Name, CookieSession) && try(c.Value, "the "+c.Name+" cookie") {
			return
		}
	}
	if a := req.Value(HeaderAuthorization); strings.HasPrefix(a, "Bearer ") && try(strings.TrimPrefix(a, "Bearer "), "the Authorization token") {
		return
	}
	hs := ""
	for _, c := range req.Cookies() {
		if c.Name == CookieHandshake {
			hs = c.Value
		}
	}
	if u, err := js.ParseURL(req.URL); err == nil {
		if v, ok := u.Get(QueryHandshake); ok {
			hs = v
		}
	}
	if hs != "" {
		if j, err := DecodeJWT(hs); err == nil {
			if try(hs, "the handshake token") {
				return
			}
			if arr, ok := j.Claim(claimHandshake).([]any); ok {
				for _, d := range arr {
					ds, _ := d.(string)
					if strings.HasPrefix(directiveName(ds), CookieSession) {
						if v, ok := directiveValue(ds); ok && try(v, "the session token in the handshake") {
							return
						}
					}
				}
			}
		}
	}
	return "", ""
}
