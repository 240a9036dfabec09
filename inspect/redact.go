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
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:4])
}

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

// publicCookie lists cookies whose values are not secrets.
func publicCookie(name string) bool {
	base := name
	if m := suffixedName.FindStringSubmatch(name); m != nil {
		base = strings.TrimSuffix(name, "_"+m[1])
	}
	switch base {
	case "__client_uat", "__clerk_redirect_count", "clerk_active_context", "__clerk_synced":
		return true
	}
	return false
}

// RedactCookieValue redacts a cookie's value unless it is public.
func RedactCookieValue(name, value string) string {
	if publicCookie(name) || value == "" {
		return value
	}
	return RedactToken(value)
}

var (
	reJWTInText    = regexp.MustCompile(`ey[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16,}`)
	reSecretKey    = regexp.MustCompile(`\b(sk|ak|mt|oat)_(live_|test_)?[A-Za-z0-9]{8,}`)
	reSecretParams = regexp.MustCompile(`((?:__clerk_db_jwt|__clerk_handshake_nonce|__refresh(?:_[A-Za-z0-9_-]{8})?|__client|__dev_session)=)([^;&\s"]+)`)
)

// RedactText redacts every JWT signature, secret key and secret cookie or
// query value inside free text (URLs, headers, messages).
func RedactText(s string) string {
	if !strings.Contains(s, "ey") && !strings.Contains(s, "_") {
		return s
	}
	if !strings.Contains(s, "ey") && !strings.Contains(s, "sk_") && !strings.Contains(s, "ak_") && !strings.Contains(s, "mt_") &&
		!strings.Contains(s, "oat_") && !strings.Contains(s, "=") {
		return s
	}
	s = reJWTInText.ReplaceAllStringFunc(s, RedactToken)
	s = reSecretKey.ReplaceAllStringFunc(s, MaskSecret)
	s = reSecretParams.ReplaceAllStringFunc(s, func(m string) string {
		sub := reSecretParams.FindStringSubmatch(m)
		if strings.HasPrefix(sub[2], "‹") {
			return m
		}
		return sub[1] + "‹redacted#" + ShortHash(sub[2]) + "›"
	})
	return s
}
