package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// MaskSecret shows a signing secret as whsec_…abcd: never more than its
// prefix and last four characters (less for a short one).
func MaskSecret(secret string) string {
	if secret == "" {
		return ""
	}
	prefix := ""
	if strings.HasPrefix(secret, secretPrefix) {
		prefix = secretPrefix
	}
	if len(secret)-len(prefix) <= 8 {
		return prefix + "…"
	}
	return prefix + "…" + secret[len(secret)-4:]
}

func shortHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:4])
}

// RedactSignature keeps a signature header's shape (versions and count)
// and replaces each signature by a short hash, so equal ones stay equal
// and none can be replayed.
func RedactSignature(header string) string {
	entries := strings.Split(header, " ")
	for i, e := range entries {
		version, sig, ok := strings.Cut(e, ",")
		if !ok || sig == "" {
			continue
		}
		entries[i] = version + ",‹sig#" + shortHash(sig) + "›"
	}
	return strings.Join(entries, " ")
}

var reSecret = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)

// RedactText masks every signing secret in free text.
func RedactText(s string) string {
	if !strings.Contains(s, secretPrefix) {
		return s
	}
	return reSecret.ReplaceAllStringFunc(s, MaskSecret)
}
