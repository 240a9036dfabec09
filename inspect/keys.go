package inspect

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// Instance types.
const (
	Production  = "production"
	Development = "development"
)

// PublishableKey is a parsed pk_live_/pk_test_ key.
type PublishableKey struct {
	Key          string `json:"publishableKey"`
	InstanceType string `json:"instanceType"`
	// FrontendAPI is the host decoded from the key, e.g. clerk.example.com.
	FrontendAPI string `json:"frontendApi"`
	// CookieSuffix is the 8-character suffix of the suffixed cookies.
	CookieSuffix string `json:"cookieSuffix"`
}

// KeyError explains why a publishable key is not valid. Text is the SDK's
// message; Detail says what exactly is wrong.
type KeyError struct {
	Text   string
	Detail string
}

func (e *KeyError) Error() string {
	first, _, _ := strings.Cut(e.Text, "\n")
	if e.Detail == "" {
		return first
	}
	return first + " " + e.Detail
}

// ParsePublishableKey validates a publishable key as the SDK does (same
// acceptance, same error text) and returns its parts.
func ParsePublishableKey(key string) (*PublishableKey, error) {
	if key == "" {
		return nil, &KeyError{Text: ErrTextPublishableKeyMissing, Detail: "Set publishableKey in the config, CLERK_PUBLISHABLE_KEY, or --publishable-key."}
	}
	invalid := func(detail string) error {
		return &KeyError{Text: ErrTextPublishableKeyInvalid, Detail: detail}
	}
	if !strings.HasPrefix(key, "pk_live_") && !strings.HasPrefix(key, "pk_test_") {
		return nil, invalid("It must start with pk_live_ or pk_test_.")
	}
	parts := strings.Split(key, "_")
	if len(parts) != 3 || parts[2] == "" {
		return nil, invalid("It must have exactly two underscores (pk_live_<base64>).")
	}
	decoded, err := atob(parts[2])
	if err != nil {
		return nil, invalid("The part after pk_live_/pk_test_ is not base64.")
	}
	if !validDecodedKey(decoded) {
		return nil, invalid("It decodes to " + quoteShort(decoded) + ", not a host followed by a single '$'.")
	}
	pk := &PublishableKey{Key: key, InstanceType: Development, FrontendAPI: decoded[:len(decoded)-1], CookieSuffix: CookieSuffix(key)}
	if strings.HasPrefix(key, "pk_live_") {
		pk.InstanceType = Production
	}
	return pk, nil
}

func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}

func validDecodedKey(d string) bool {
	if !strings.HasSuffix(d, "$") {
		return false
	}
	rest := d[:len(d)-1]
	return !strings.Contains(rest, "$") && strings.Contains(rest, ".")
}

// atob is the forgiving-base64 decode of browsers: ASCII whitespace is
// removed, padding is optional, stray bits are ignored. Bytes become a
// Latin-1 string, as atob's result does.
func atob(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\f', '\r':
			return -1
		}
		return r
	}, s)
	if len(s)%4 == 0 {
		if strings.HasSuffix(s, "==") {
			s = s[:len(s)-2]
		} else if strings.HasSuffix(s, "=") {
			s = s[:len(s)-1]
		}
	}
	if len(s)%4 == 1 {
		return "", errors.New("invalid length")
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return "", err
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r), nil
}

var base64ToURL = strings.NewReplacer("+", "-", "/", "_")

// isDevelopmentFromSecretKey is @clerk/shared's isDevelopmentFromSecretKey.
func isDevelopmentFromSecretKey(secretKey string) bool {
	return strings.HasPrefix(secretKey, "test_") || strings.HasPrefix(secretKey, "sk_test_")
}

// CookieSuffix is the first 8 characters of base64url(SHA-1(key)).
func CookieSuffix(publishableKey string) string {
	sum := sha1.Sum([]byte(publishableKey))
	s := base64.StdEncoding.EncodeToString(sum[:])
	return base64ToURL.Replace(s)[:8]
}

// parsedKeys caches ParsePublishableKey: one app has one key. lastKey is
// the one found last, found again by comparing the key's text (usually
// one string, the options') instead of hashing it.
var (
	parsedKeys sync.Map // key → *parsedKey
	lastKey    atomic.Pointer[parsedKey]
)

type parsedKey struct {
	key string
	pk  *PublishableKey
}

// parsePublishableKeyCached is ParsePublishableKey for the engine's hot path.
func parsePublishableKeyCached(key string) (*PublishableKey, error) {
	if k := lastKey.Load(); k != nil && k.key == key {
		return k.pk, nil
	}
	if k, ok := parsedKeys.Load(key); ok {
		lastKey.Store(k.(*parsedKey))
		return k.(*parsedKey).pk, nil
	}
	pk, err := ParsePublishableKey(key)
	if err == nil {
		k := &parsedKey{key, pk}
		parsedKeys.Store(key, k)
		lastKey.Store(k)
	}
	return pk, err
}

var devFrontendAPI = regexp.MustCompile(`(?i)^(([a-z]+)-){2}([0-9]{1,2})\.clerk\.accounts([a-z.]*)(dev|com)$`)

// BuildPublishableKey rebuilds the publishable key of an instance from its
// Frontend API host (e.g. from a token's iss), as @clerk/shared does.
func BuildPublishableKey(frontendAPI string) string {
	frontendAPI = strings.TrimPrefix(strings.TrimPrefix(frontendAPI, "https://"), "http://")
	frontendAPI = strings.TrimRight(frontendAPI, "/")
	legacyDev := strings.HasPrefix(frontendAPI, "clerk.") && !strings.HasSuffix(frontendAPI, ".prod.lclclerk.com") &&
		(strings.HasSuffix(frontendAPI, ".lcl.dev") || strings.HasSuffix(frontendAPI, ".lclstage.dev") || strings.HasSuffix(frontendAPI, ".lclclerk.com"))
	prefix := "pk_live_"
	if devFrontendAPI.MatchString(frontendAPI) || legacyDev {
		prefix = "pk_test_"
	}
	enc := base64.StdEncoding.EncodeToString([]byte(frontendAPI + "$"))
	return prefix + strings.TrimRight(enc, "=")
}

// MaskSecret shows a secret key as sk_live_…abcd: never more than its kind
// and last four characters.
func MaskSecret(key string) string {
	if key == "" {
		return ""
	}
	prefix := ""
	for _, p := range []string{"sk_live_", "sk_test_", "ak_", "mt_", "oat_"} {
		if strings.HasPrefix(key, p) {
			prefix = p
			break
		}
	}
	if len(key)-len(prefix) <= 8 {
		return prefix + "…"
	}
	return prefix + "…" + key[len(key)-4:]
}

// accountsBaseURL is the Account Portal origin of a Frontend API host.
func accountsBaseURL(frontendAPI string) string {
	if frontendAPI == "" {
		return ""
	}
	s := strings.Replace(frontendAPI, "clerk.accountsstage.", "accountsstage.", 1)
	if i := strings.Index(s, "clerk."); i >= 0 {
		if strings.HasPrefix(s[i:], "clerk.accounts.") {
			s = s[:i] + "accounts." + s[i+len("clerk.accounts."):]
		} else {
			s = s[:i] + "accounts." + s[i+len("clerk."):]
		}
	}
	return "https://" + s
}

func isLegacyDevAccountPortalHost(host string) bool {
	if !strings.HasPrefix(host, "accounts.") {
		return false
	}
	for _, s := range []string{".lcl.dev", ".lclstage.dev", ".lclclerk.com"} {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

func isCurrentDevAccountPortalHost(host string) bool {
	for _, s := range []string{".accounts.dev", ".accountsstage.dev", ".accounts.lclclerk.com"} {
		if strings.HasSuffix(host, s) && !strings.HasSuffix(host, ".clerk"+s) {
			return true
		}
	}
	return false
}
