package inspect

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// Redaction keeps reports shareable: a JWT keeps its header and claims (what
// support needs to read) but loses its signature, so it cannot be replayed;
// other secret values become a short hash, so equal values stay
// recognisably equal. Secret keys are masked to their kind and last four
// characters. Every report and every default output goes through here.

// ShortHash is the first 8 hex digits of SHA-256(v).
func ShortHash(v string) string {
	if h, ok := shortHashes.get(v); ok {
		return h
	}
	sum := sha256.Sum256([]byte(v))
	h := hex.EncodeToString(sum[:4])
	shortHashes.put(strings.Clone(v), h)
	return h
}

// shortHashes remembers the hashes of the values last hashed: a capture
// names the same token in thousands of requests.
var shortHashes = newMemo[string, string](tokenMemoSize)

// RedactToken removes a JWT's signature, or hides an opaque value.
func RedactToken(tok string) string {
	if tok == "" {
		return ""
	}
	parts := strings.Split(tok, ".")
	if len(parts) == 3 && len(parts[0]) > 4 && strings.HasPrefix(parts[0], "ey") {
		return parts[0] + "." + parts[1] + ".‹sig#" + ShortHash(tok) + "›"
	}
	return "‹redacted#" + ShortHash(tok) + "›"
}

// clerkNames is every Clerk cookie and query parameter family whose value
// clerkscope prints, and how secret the value is. Each name also stands for
// its suffixed forms (__session_g8uPP8vT, __refresh_g8uPP8vT…): one list,
// read by RedactCookieValue and RedactText alike.
var clerkNames = map[string]secrecy{
	"__session":               secret, // the session JWT
	"__refresh":               secret,
	"__client":                sealed, // the Frontend API's client: its claims hold the rotating token
	"__clerk_db_jwt":          secret, // the dev browser
	"__dev_session":           secret,
	"__clerk_handshake":       sealed, // its claims carry the session it sets
	"__clerk_handshake_nonce": secret,
	"__client_uat":            public, // a timestamp
	"__clerk_redirect_count":  public,
	"__clerk_synced":          public,
	"clerk_active_context":    public,
}

// secrecy is how much of a value redaction keeps.
type secrecy int

const (
	unknown secrecy = iota // not a Clerk name
	public                 // kept: not a credential
	secret                 // a JWT keeps its header and claims, anything else is hidden
	sealed                 // hidden whole: the claims hold other secrets
)

// secrecyOf finds the family of a cookie or parameter name: the name
// itself, else the longest family it is a suffixed form of (so
// __client_uat_x is __client_uat, a timestamp, not __client).
func secrecyOf(name string) secrecy {
	if s, ok := clerkNames[name]; ok {
		return s
	}
	best, found := 0, unknown
	for fam, s := range clerkNames {
		if len(fam) > best && len(name) > len(fam)+1 && name[len(fam)] == '_' && strings.HasPrefix(name, fam) {
			best, found = len(fam), s
		}
	}
	return found
}

// redactValue hides a secret value as its secrecy says.
func redactValue(s secrecy, value string) string {
	if s == sealed {
		return "‹redacted#" + ShortHash(value) + "›"
	}
	return RedactToken(value)
}

// RedactCookieValue redacts a cookie's value unless it is a public Clerk
// cookie: any other cookie, the app's own included, may be a credential.
func RedactCookieValue(name, value string) string {
	s := secrecyOf(name)
	if s == public || value == "" {
		return value
	}
	return redactValue(s, value)
}

var (
	reJWTInText = regexp.MustCompile(`ey[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16,}`)
	reSecretKey = regexp.MustCompile(`\b(sk|ak|mt|oat)_(live_|test_)?[A-Za-z0-9]{8,}`)
	// reNameValue is a name=value pair of a Cookie, Set-Cookie or query
	// string, its "=" percent-encoded too (a redirect_url's own query).
	reNameValue = regexp.MustCompile(`(__[A-Za-z0-9_-]+)(=|%3[Dd])([^;&\s"]+)`)
)

// RedactText redacts every JWT signature, secret key and secret Clerk
// cookie or query value inside free text (URLs, headers, messages).
func RedactText(s string) string {
	if !strings.Contains(s, "ey") && !strings.Contains(s, "_") {
		return s
	}
	if !strings.Contains(s, "ey") && !strings.Contains(s, "sk_") && !strings.Contains(s, "ak_") && !strings.Contains(s, "mt_") &&
		!strings.Contains(s, "oat_") && !strings.Contains(s, "=") && !strings.Contains(s, "%3") {
		return s
	}
	if len(s) > redactMemoLen {
		return redactText(s)
	}
	if r, ok := redactMemo.get(s); ok {
		return r
	}
	key := strings.Clone(s)
	r := redactText(key)
	redactMemo.put(key, r)
	return r
}

// redactMemo keeps RedactText's answers for the texts its regular
// expressions run on, of up to redactMemoLen bytes: the verdicts of a
// capture repeat the same messages, evidence and Set-Cookie lines
// thousands of times, and the answer depends on the text alone.
var redactMemo = newMemo[string, string](redactMemoSize)

const (
	redactMemoSize = 256
	redactMemoLen  = 1024
)

// redactText is RedactText's work on a text that may hold secrets.
func redactText(s string) string {
	// Named values first, so that a handshake token is hidden whole before
	// the JWT rule would keep its claims.
	s = reNameValue.ReplaceAllStringFunc(s, func(m string) string {
		sub := reNameValue.FindStringSubmatch(m)
		sec := secrecyOf(sub[1])
		if sec < secret || strings.HasPrefix(sub[3], "‹") {
			return m
		}
		return sub[1] + sub[2] + redactValue(sec, sub[3])
	})
	s = reJWTInText.ReplaceAllStringFunc(s, RedactToken)
	s = reSecretKey.ReplaceAllStringFunc(s, MaskSecret)
	return s
}
