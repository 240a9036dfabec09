package inspect

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	jose "github.com/go-jose/go-jose/v4"
)

// Key is a verification key with the algorithm it is bound to ("" = any).
type Key struct {
	Public *rsa.PublicKey
	KID    string
	Alg    string
	// Source describes where the key came from, for the evidence.
	Source string
}

// KeySource resolves the instance key for a token's kid. Implementations
// return a *TokenError for what the SDK treats as verification errors
// (secret-key-invalid, jwk-remote-failed-to-load, jwk-kid-mismatch) and any
// other error for transport failures, which the SDK reports as
// unexpected-error.
type KeySource interface {
	KeyFor(ctx context.Context, kid string) (*Key, error)
}

// PEMKey is networkless verification with the instance public key, the
// SDK's jwtKey. Like the SDK, it strips the PEM armour and the fixed
// 2048-bit SPKI prefix as text and binds the key to RS256.
type PEMKey struct {
	PEM string
}

const (
	pemHeader = "-----BEGIN PUBLIC KEY-----"
	pemFooter = "-----END PUBLIC KEY-----"
	rsaPrefix = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
	rsaSuffix = "IDAQAB"
)

var pemNewlines = strings.NewReplacer("\r\n", "", "\n", "", "\r", "")

// pemKeys caches imported jwtKeys: an app imports its key once.
var pemKeys sync.Map // PEM text → *rsa.PublicKey

// pemKID names the Key a jwtKey gives for a token's kid.
type pemKID struct{ pem, kid string }

// pemKey is the Key a jwtKey gives for a kid.
type pemKey struct {
	pemKID
	key *Key
}

// pemKeyFor keeps the Keys last handed out, which every request of a
// capture asks for again; they are shared and never changed. lastPEMKey
// is the one handed out last: finding it compares the PEM texts, which
// are usually one string (the options'), where the memo hashes them.
var (
	pemKeyFor  = newMemo[pemKID, *pemKey](16)
	lastPEMKey atomic.Pointer[pemKey]
)

// KeyFor implements KeySource. The Key is shared with the other callers
// that ask for the same one, and must not be changed.
func (p PEMKey) KeyFor(_ context.Context, kid string) (*Key, error) {
	if p.PEM == "" {
		return nil, &TokenError{Reason: JWKLocalMissing, Message: msgJWKLocalMissing, Action: ActionSetJWTKey}
	}
	if k := lastPEMKey.Load(); k != nil && k.pem == p.PEM && k.kid == kid {
		return k.key, nil
	}
	id := pemKID{p.PEM, kid}
	k, ok := pemKeyFor.get(id)
	if !ok {
		k = &pemKey{id, &Key{Public: p.public(), KID: "local-" + kid, Alg: "RS256", Source: "jwtKey (PEM)"}}
		pemKeyFor.put(id, k)
	}
	lastPEMKey.Store(k)
	return k.key, nil
}

// public imports the key, once per PEM text.
func (p PEMKey) public() *rsa.PublicKey {
	if pub, ok := pemKeys.Load(p.PEM); ok {
		return pub.(*rsa.PublicKey)
	}
	mod := pemNewlines.Replace(p.PEM)
	mod = strings.Replace(mod, pemHeader, "", 1)
	mod = strings.Replace(mod, pemFooter, "", 1)
	mod = strings.Replace(mod, rsaPrefix, "", 1)
	mod = strings.Replace(mod, rsaSuffix, "", 1)
	mod = base64ToURL.Replace(mod)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(lenientBase64URL(mod)), E: 65537}
	pemKeys.Store(p.PEM, pub)
	return pub
}

// lenientBase64URL decodes like Node's base64url decoder: characters outside
// the alphabet are skipped.
func lenientBase64URL(s string) []byte {
	clean := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, s)
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	b, _ := base64.RawURLEncoding.DecodeString(clean)
	return b
}

// ValidatePEM checks that text is an RSA public key in PEM, for a clear
// error before any verdict is computed.
func ValidatePEM(text string) error {
	if !strings.Contains(text, pemHeader) {
		return errors.New("not a PEM public key: expected a -----BEGIN PUBLIC KEY----- block (the instance's PEM public key from the Clerk dashboard, API keys page)")
	}
	return nil
}

// JWKS is a set of keys, from a file or from the Backend API.
type JWKS struct {
	Keys   []JWK
	Origin string
}

// JWK is one key of a set. A key go-jose cannot import is kept (with
// Err) because, as in the SDK, it only fails when a token names its kid.
type JWK struct {
	KID    string
	Alg    string
	Public *rsa.PublicKey
	Err    error
}

// ParseJWKS reads a JWKS document ({"keys": [...]}) or a single JWK.
func ParseJWKS(data []byte, origin string) (*JWKS, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("jwks: %s is not JSON: %w", origin, err)
	}
	raws := set.Keys
	if raws == nil {
		raws = []json.RawMessage{data}
	}
	out := &JWKS{Origin: origin}
	for i, raw := range raws {
		var meta struct {
			KID string `json:"kid"`
			Alg string `json:"alg"`
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("jwks: key %d of %s is not a JSON object", i, origin)
		}
		k := JWK{KID: meta.KID, Alg: meta.Alg}
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			k.Err = err
		} else if pub, ok := jwk.Key.(*rsa.PublicKey); ok {
			k.Public = pub
		} else {
			k.Err = errors.New("not an RSA public key")
		}
		out.Keys = append(out.Keys, k)
	}
	return out, nil
}

// LoadJWKSFile reads a JWKS file.
func LoadJWKSFile(path string) (*JWKS, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseJWKS(data, path)
}

// KeyFor implements KeySource with the SDK's JWKS semantics.
func (s *JWKS) KeyFor(_ context.Context, kid string) (*Key, error) {
	if len(s.Keys) == 0 {
		return nil, &TokenError{Reason: JWKRemoteFailedToLoad, Action: ActionContactSupport,
			Message: msgJWKSEmpty}
	}
	for _, k := range s.Keys {
		if k.KID != kid {
			continue
		}
		if k.Err != nil {
			return nil, &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: "Error verifying JWT signature. Error: the JWKS key " + kid + " cannot be imported (" + k.Err.Error() + ")"}
		}
		return &Key{Public: k.Public, KID: k.KID, Alg: k.Alg, Source: "JWKS " + s.Origin}, nil
	}
	return nil, kidMismatch(kid)
}

func kidMismatch(kid string) *TokenError {
	return &TokenError{Reason: JWKKidMismatch,
		Action:  actionKidMismatch,
		Message: fmt.Sprintf(msgKidMismatch, kid)}
}

// remoteKeys is loadClerkJWKFromRemote over the Backend.
type remoteKeys struct {
	j    *judge
	jwks *JWKS
	err  error
	done bool
}

func (r *remoteKeys) KeyFor(ctx context.Context, kid string) (*Key, error) {
	if !r.done {
		r.done = true
		call := BAPICall{Method: "GET", Path: pathJWKS}
		r.jwks, r.err = r.j.backend().JWKS(ctx)
		call.Answered = answeredText(r.err)
		r.j.v.BAPICalls = append(r.j.v.BAPICalls, call)
	}
	if r.err != nil {
		var ae *APIError
		if errors.As(r.err, &ae) {
			for i, c := range ae.Codes {
				if c == "clerk_key_invalid" {
					return nil, &TokenError{Reason: SecretKeyInvalid, Action: ActionContactSupport, Message: ae.Messages[i]}
				}
			}
			api := j2apiURL(r.j.opts.APIURL)
			return nil, &TokenError{Reason: JWKRemoteFailedToLoad, Action: ActionContactSupport,
				Message: fmt.Sprintf(msgJWKSLoad, api, ae.Status)}
		}
		return nil, r.err
	}
	return r.jwks.KeyFor(ctx, kid)
}

func j2apiURL(u string) string {
	if u == "" {
		return apiURL
	}
	return strings.TrimRight(u, "/")
}
