package inspect

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"clerkscope/inspect/internal/js"
)

// TokenError is the SDK's TokenVerificationError: a reason code, the message
// and the suggested action, rendered with the token carrier.
type TokenError struct {
	Reason  string
	Message string
	Action  string
	Carrier string // "cookie" or "header"
}

func (e *TokenError) Error() string { return e.Message }

// FullMessage is getFullMessage(): what x-clerk-auth-message carries.
func (e *TokenError) FullMessage() string {
	parts := []string{}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if e.Action != "" {
		parts = append(parts, e.Action)
	}
	carrier := e.Carrier
	if carrier == "" {
		carrier = "undefined"
	}
	return fmt.Sprintf("%s (reason=%s, token-carrier=%s)", strings.Join(parts, " "), e.Reason, carrier)
}

// Actions the SDK attaches to verification errors.
const (
	ActionContactSupport = "Contact support@clerk.com"
	ActionEnsureClerkJWT = "Make sure that this is a valid Clerk-generated JWT."
	ActionSetJWTKey      = "Set the CLERK_JWT_KEY environment variable."
	ActionSetSecretKey   = "Set the CLERK_SECRET_KEY environment variable."
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
	// Describe says where keys come from, e.g. "jwtKey (PEM)".
	Describe() string
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

// KeyFor implements KeySource.
func (p PEMKey) KeyFor(_ context.Context, kid string) (*Key, error) {
	if p.PEM == "" {
		return nil, &TokenError{Reason: JWKLocalMissing, Message: "Missing local JWK.", Action: ActionSetJWTKey}
	}
	if pub, ok := pemKeys.Load(p.PEM); ok {
		return &Key{Public: pub.(*rsa.PublicKey), KID: "local-" + kid, Alg: "RS256", Source: "jwtKey (PEM)"}, nil
	}
	mod := pemNewlines.Replace(p.PEM)
	mod = strings.Replace(mod, pemHeader, "", 1)
	mod = strings.Replace(mod, pemFooter, "", 1)
	mod = strings.Replace(mod, rsaPrefix, "", 1)
	mod = strings.Replace(mod, rsaSuffix, "", 1)
	mod = base64ToURL.Replace(mod)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(lenientBase64URL(mod)), E: 65537}
	pemKeys.Store(p.PEM, pub)
	return &Key{Public: pub, KID: "local-" + kid, Alg: "RS256", Source: "jwtKey (PEM)"}, nil
}

// Describe implements KeySource.
func (p PEMKey) Describe() string { return "jwtKey (PEM public key, networkless)" }

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
			Message: "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com."}
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

// Describe implements KeySource.
func (s *JWKS) Describe() string { return "JWKS from " + s.Origin }

func kidMismatch(kid string) *TokenError {
	return &TokenError{Reason: JWKKidMismatch,
		Action:  "Go to your Dashboard and validate your secret and public keys are correct. " + ActionContactSupport + " if the issue persists.",
		Message: fmt.Sprintf("Unable to find a signing key in JWKS that matches the kid='%s' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT.", kid)}
}

// SignatureState is one of the three outcomes of checking a signature; they
// are never confused.
type SignatureState string

// Signature states.
const (
	SigVerified   SignatureState = "verified"
	SigInvalid    SignatureState = "invalid"
	SigUnverified SignatureState = "unverified"
)

// Signature records how a token's signature was (or was not) checked.
type Signature struct {
	State  SignatureState `json:"state"`
	Detail string         `json:"detail"`
	KID    string         `json:"kid,omitempty"`
	Alg    string         `json:"alg,omitempty"`
	Key    string         `json:"key,omitempty"`
}

var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512}

func algHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256":
		return crypto.SHA256, true
	case "RS384":
		return crypto.SHA384, true
	case "RS512":
		return crypto.SHA512, true
	}
	return 0, false
}

// checkSignature checks an RS256/RS384/RS512 signature (the explicit
// allow-list: any other alg was refused before) with crypto/rsa (keys under
// 1024 bits by hand, see verifyPKCS1v15), over the
// signing input of the token already decoded. go-jose parses the JWKS keys
// and, in the tests, cross-checks every verdict's signature result; it is
// not on this hot path because its own parse-and-verify costs more than
// the 50 µs budget of a whole verdict (see the README).
func checkSignature(j *JWT, key *Key, alg string) bool {
	h, ok := algHash(alg)
	if !ok || key == nil || key.Public == nil || key.Public.N == nil || key.Public.N.Sign() == 0 {
		return false
	}
	hh := h.New()
	// The signing input is the token up to its last dot.
	hh.Write([]byte(j.Raw[:len(j.RawHeader)+1+len(j.RawPayload)]))
	return verifyPKCS1v15(key.Public, h, hh.Sum(nil), j.Signature)
}

// checkSignatureJOSE is the same check done entirely by go-jose with the
// allow-list; the tests assert that both always agree.
func checkSignatureJOSE(j *JWT, key *Key) bool {
	sig, err := jose.ParseSignedCompact(j.Raw, allowedAlgs)
	if err != nil {
		return false
	}
	_, err = sig.Verify(key.Public)
	return err == nil
}

// Clock skews, in milliseconds: verifyJwt's DEFAULT_CLOCK_SKEW_IN_MS (used
// when clockSkewInMs is not a finite number: absent, null, a string), and
// the 24 h that a development instance retries a handshake's token with.
const (
	defaultClockSkewMs  = 5000
	devClockSkewRetryMs = 864e5
)

// verifyParams are the options verifyToken reads.
type verifyParams struct {
	keys              KeySource
	assumeValid       bool // no key available: walk on as if the signature were valid
	audience          []string
	authorizedParties []string
	// issuer is the issuer option without its empty entries; none means
	// any issuer.
	issuer []string
	// clockSkewMs is in milliseconds, unrounded, as the SDK compares it.
	clockSkewMs float64
	now         time.Time
	headerTypes []string
	decode      func(string) (*JWT, error)
	// machine skips the session-token category check (machine JWTs).
	machine bool
}

// verifyResult is the outcome of verifyToken: the payload, or the error.
// Err is a *TokenError for verification errors; anything else is a
// transport failure.
type verifyResult struct {
	Payload   any
	Err       error
	Signature Signature
}

// verifyToken is the SDK's verifyToken(token, options): decode, category,
// key, header type, algorithm, signature, then the claims in order.
func verifyToken(ctx context.Context, token string, p verifyParams) verifyResult {
	decode := p.decode
	if decode == nil {
		decode = DecodeJWT
	}
	j, err := decode(token)
	if err != nil {
		return verifyResult{Err: err, Signature: Signature{State: SigUnverified, Detail: "not a decodable JWT"}}
	}
	kid, _ := js.AsString(js.Field(j.Header, "kid"))
	alg, _ := js.AsString(js.Field(j.Header, "alg"))
	sig := Signature{State: SigUnverified, KID: kid, Alg: alg}
	if c := js.Field(j.Header, "cat"); !p.machine && !js.IsUndefined(c) && c == CategoryM2M {
		return verifyResult{Err: &TokenError{Reason: TokenInvalid, Action: ActionEnsureClerkJWT, Message: "Invalid session token category."}, Signature: sig}
	}
	var key *Key
	if p.keys != nil {
		key, err = p.keys.KeyFor(ctx, js.Template(js.Field(j.Header, "kid")))
		if err != nil {
			sig.Detail = "no key: " + err.Error()
			return verifyResult{Err: err, Signature: sig}
		}
		if key != nil {
			sig.Key = key.Source
		}
	} else if !p.assumeValid {
		return verifyResult{Err: &TokenError{Reason: JWKFailedToResolve, Action: ActionSetJWTKey, Message: "Failed to resolve JWK during verification."}, Signature: sig}
	}
	if err := assertHeaderType(js.Field(j.Header, "typ"), p.headerTypes); err != nil {
		return verifyResult{Err: err, Signature: sig}
	}
	if _, ok := algHash(alg); !ok || !isString(js.Field(j.Header, "alg")) {
		return verifyResult{Err: &TokenError{Reason: TokenInvalidAlgorithm, Action: ActionEnsureClerkJWT,
			Message: fmt.Sprintf("Invalid JWT algorithm %s. Supported: RS256,RS384,RS512.", js.Stringify(js.Field(j.Header, "alg")))}, Signature: sig}
	}
	if key != nil {
		if key.Alg != "" && key.Alg != alg {
			sig.State = SigInvalid
			sig.Detail = fmt.Sprintf("the key is bound to %s but the token says %s", key.Alg, alg)
			return verifyResult{Err: &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: `Error verifying JWT signature. Error: JWK "alg" does not match the requested algorithm`}, Signature: sig}
		}
		if !checkSignature(j, key, alg) {
			sig.State = SigInvalid
			sig.Detail = "the signature does not match " + key.Source
			return verifyResult{Err: &TokenError{Reason: TokenInvalidSignature, Message: "JWT signature is invalid."}, Signature: sig}
		}
		sig.State = SigVerified
		sig.Detail = "signature matches " + key.Source
	} else {
		sig.Detail = "no key to check it with; clerkscope assumed the signature is valid"
	}
	if err := assertClaims(j.Payload, p); err != nil {
		return verifyResult{Err: err, Signature: sig}
	}
	return verifyResult{Payload: j.Payload, Signature: sig}
}

func isString(v any) bool { _, ok := v.(string); return ok }

func assertHeaderType(typ any, allowed []string) error {
	if js.IsUndefined(typ) && allowed == nil {
		return nil
	}
	if allowed == nil {
		allowed = []string{"JWT"}
	}
	if s, ok := typ.(string); ok {
		for _, a := range allowed {
			if s == a {
				return nil
			}
		}
	}
	return &TokenError{Reason: TokenInvalid, Action: ActionEnsureClerkJWT,
		Message: fmt.Sprintf("Invalid JWT type %s. Expected \"%s\".", js.Stringify(typ), strings.Join(allowed, ", "))}
}

func assertClaims(payload any, p verifyParams) error {
	sub := js.Field(payload, "sub")
	if !isString(sub) {
		return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
			Message: fmt.Sprintf("Subject claim (sub) is required and must be a string. Received %s.", js.Stringify(sub))}
	}
	if err := assertAudience(js.Field(payload, "aud"), p.audience); err != nil {
		return err
	}
	if len(p.authorizedParties) > 0 {
		azp := js.Field(payload, "azp")
		ok := false
		if s, isStr := azp.(string); isStr && s != "" {
			for _, a := range p.authorizedParties {
				if a == s {
					ok = true
				}
			}
		}
		if !ok {
			return &TokenError{Reason: TokenInvalidAuthorizedParties,
				Message: fmt.Sprintf("Invalid JWT Authorized party claim (azp) %s. Expected \"%s\".", js.Stringify(azp), js.ArrayString(p.authorizedParties))}
		}
	}
	if len(p.issuer) > 0 {
		iss := js.Field(payload, "iss")
		if s, ok := iss.(string); !ok || !slices.Contains(p.issuer, s) {
			return &TokenError{Reason: TokenInvalidIssuer, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf("Invalid JWT issuer claim (iss) %s. Expected \"%s\".", js.Stringify(iss), js.ArrayString(p.issuer))}
		}
	}
	nowMs := js.Millis(p.now)
	skewMs := p.clockSkewMs
	exp := js.Field(payload, "exp")
	expF, ok := exp.(float64)
	if !ok {
		return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
			Message: fmt.Sprintf("Invalid JWT expiry date claim (exp) %s. Expected number.", js.Stringify(exp))}
	}
	if t := js.SecondsToTime(expF); js.Millis(t) <= nowMs-skewMs {
		return &TokenError{Reason: TokenExpired,
			Message: fmt.Sprintf("JWT is expired. Expiry date: %s, Current date: %s.", js.UTCString(t), js.UTCString(p.now))}
	}
	if nbf := js.Field(payload, "nbf"); !js.IsUndefined(nbf) {
		f, ok := nbf.(float64)
		if !ok {
			return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf("Invalid JWT not before date claim (nbf) %s. Expected number.", js.Stringify(nbf))}
		}
		if t := js.SecondsToTime(f); js.Millis(t) > nowMs+skewMs {
			return &TokenError{Reason: TokenNotActiveYet,
				Message: fmt.Sprintf("JWT cannot be used prior to not before date claim (nbf). Not before date: %s; Current date: %s;", js.UTCString(t), js.UTCString(p.now))}
		}
	}
	if iat := js.Field(payload, "iat"); !js.IsUndefined(iat) {
		f, ok := iat.(float64)
		if !ok {
			return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf("Invalid JWT issued at date claim (iat) %s. Expected number.", js.Stringify(iat))}
		}
		if t := js.SecondsToTime(f); js.Millis(t) > nowMs+skewMs {
			return &TokenError{Reason: TokenIatInTheFuture,
				Message: fmt.Sprintf("JWT issued at date claim (iat) is in the future. Issued at date: %s; Current date: %s;", js.UTCString(t), js.UTCString(p.now))}
		}
	}
	return nil
}

func assertAudience(aud any, audience []string) error {
	var want []string
	for _, a := range audience {
		if a != "" {
			want = append(want, a)
		}
	}
	var got []any
	switch x := aud.(type) {
	case []any:
		for _, v := range x {
			if js.Truthy(v) {
				got = append(got, v)
			}
		}
	default:
		if js.Truthy(x) {
			got = []any{x}
		}
	}
	if len(want) == 0 || len(got) == 0 {
		return nil
	}
	contains := func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return false
		}
		for _, w := range want {
			if w == s {
				return true
			}
		}
		return false
	}
	wantJSON := js.Stringify(stringsToAny(want))
	if s, ok := aud.(string); ok {
		if !contains(s) {
			return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf("Invalid JWT audience claim (aud) %s. Is not included in \"%s\".", js.Stringify(aud), wantJSON)}
		}
		return nil
	}
	if arr, ok := aud.([]any); ok && len(arr) > 0 {
		allStrings := true
		for _, v := range arr {
			if !isString(v) {
				allStrings = false
			}
		}
		if allStrings {
			for _, v := range arr {
				if contains(v) {
					return nil
				}
			}
			return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf("Invalid JWT audience claim array (aud) %s. Is not included in \"%s\".", js.Stringify(aud), wantJSON)}
		}
	}
	return nil
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
