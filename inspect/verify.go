package inspect

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
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
	// [message, action].filter(Boolean).join(' '), then the reason and
	// carrier.
	text := e.Message
	if e.Action != "" {
		if text != "" {
			text += " "
		}
		text += e.Action
	}
	carrier := e.Carrier
	if carrier == "" {
		carrier = "undefined"
	}
	return text + " (reason=" + e.Reason + ", token-carrier=" + carrier + ")"
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
//
// The check is most of a verdict at the first sight of a token, and
// crypto/rsa offers no cheaper way to make it: it keeps nothing for a
// *rsa.PublicKey between calls (each VerifyPKCS1v15 rebuilds the
// modulus's Montgomery constants, about a quarter of its cost), and
// math/big's Exp, verifySmallPKCS1v15's way, was measured slower for a
// 2048-bit key. What does not change between tokens (the key's import,
// its Key) is kept elsewhere.
func checkSignature(j *JWT, key *Key, alg string) bool {
	h, ok := algHash(alg)
	if !ok || key == nil || key.Public == nil || key.Public.N == nil || key.Public.N.Sign() == 0 {
		return false
	}
	// The signing input is the token up to its last dot.
	var sum [sha512.Size]byte
	return verifyPKCS1v15(key.Public, h, digest(sum[:0], h, j.Raw[:len(j.RawHeader)+1+len(j.RawPayload)]), j.Signature)
}

// digest appends the hash h of input to dst, without the allocations of
// h.New and Sum.
func digest(dst []byte, h crypto.Hash, input string) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256([]byte(input))
		return append(dst, d[:]...)
	case crypto.SHA384:
		d := sha512.Sum384([]byte(input))
		return append(dst, d[:]...)
	case crypto.SHA512:
		d := sha512.Sum512([]byte(input))
		return append(dst, d[:]...)
	}
	hh := h.New()
	hh.Write([]byte(input))
	return hh.Sum(dst)
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
	// decoder decodes the token (DecodeJWT when nil): an interface, not
	// a func, so that the judge's method is not made a closure per call.
	decoder tokenDecoder
	// machine skips the session-token category check (machine JWTs).
	machine bool
}

// tokenDecoder is what decodes tokens for verifyToken: the judge, which
// keeps the request's.
type tokenDecoder interface {
	decode(token string) (*JWT, error)
	// claimsOf is the claims of a token it decoded, read once per
	// token (nil if it has none at hand).
	claimsOf(j *JWT) *tokenClaims
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
	var j *JWT
	var err error
	if p.decoder != nil {
		j, err = p.decoder.decode(token)
	} else {
		j, err = DecodeJWT(token)
	}
	if err != nil {
		return verifyResult{Err: err, Signature: Signature{State: SigUnverified, Detail: "not a decodable JWT"}}
	}
	kid, _ := js.AsString(js.Field(j.Header, "kid"))
	alg, _ := js.AsString(js.Field(j.Header, "alg"))
	sig := Signature{State: SigUnverified, KID: kid, Alg: alg}
	if c := js.Field(j.Header, "cat"); !p.machine && !js.IsUndefined(c) && c == CategoryM2M {
		return verifyResult{Err: &TokenError{Reason: TokenInvalid, Action: ActionEnsureClerkJWT, Message: msgSessionCategory}, Signature: sig}
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
		return verifyResult{Err: &TokenError{Reason: JWKFailedToResolve, Action: ActionSetJWTKey, Message: msgJWKFailedToResolve}, Signature: sig}
	}
	if err := assertHeaderType(js.Field(j.Header, "typ"), p.headerTypes); err != nil {
		return verifyResult{Err: err, Signature: sig}
	}
	if _, ok := algHash(alg); !ok || !isString(js.Field(j.Header, "alg")) {
		return verifyResult{Err: &TokenError{Reason: TokenInvalidAlgorithm, Action: ActionEnsureClerkJWT,
			Message: fmt.Sprintf(msgInvalidAlgorithm, js.Stringify(js.Field(j.Header, "alg")))}, Signature: sig}
	}
	if key != nil {
		if key.Alg != "" && key.Alg != alg {
			sig.State = SigInvalid
			sig.Detail = fmt.Sprintf("the key is bound to %s but the token says %s", key.Alg, alg)
			return verifyResult{Err: &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: msgKeyAlg}, Signature: sig}
		}
		if !checkSignatureMemo(j, key, alg) {
			sig.State = SigInvalid
			sig.Detail = "the signature does not match " + key.Source
			return verifyResult{Err: &TokenError{Reason: TokenInvalidSignature, Message: msgSignature}, Signature: sig}
		}
		sig.State = SigVerified
		sig.Detail = verifiedTextsOf(key.Source).detail
	} else {
		sig.Detail = "no key to check it with; clerkscope assumed the signature is valid"
	}
	var claims *tokenClaims
	if p.decoder != nil {
		claims = p.decoder.claimsOf(j)
	}
	if claims == nil {
		c := readClaims(j.Payload)
		claims = &c
	}
	if err := assertClaims(claims, p); err != nil {
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
		Message: fmt.Sprintf(msgHeaderType, js.Stringify(typ), strings.Join(allowed, ", "))}
}

// tokenClaims are the claims assertClaims reads, as js.Field reads them
// off the payload (Undefined when absent).
type tokenClaims struct {
	sub, aud, azp, iss, exp, nbf, iat any
}

func readClaims(payload any) tokenClaims {
	return tokenClaims{
		sub: js.Field(payload, "sub"),
		aud: js.Field(payload, "aud"),
		azp: js.Field(payload, "azp"),
		iss: js.Field(payload, "iss"),
		exp: js.Field(payload, "exp"),
		nbf: js.Field(payload, "nbf"),
		iat: js.Field(payload, "iat"),
	}
}

// assertClaims is the claims' checks of verifyJwt, in its order.
func assertClaims(c *tokenClaims, p verifyParams) error {
	sub := c.sub
	if !isString(sub) {
		return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
			Message: fmt.Sprintf(msgSubject, js.Stringify(sub))}
	}
	if err := assertAudience(c.aud, p.audience); err != nil {
		return err
	}
	if len(p.authorizedParties) > 0 {
		azp := c.azp
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
				Message: fmt.Sprintf(msgAuthorizedParty, js.Stringify(azp), js.ArrayString(p.authorizedParties))}
		}
	}
	if len(p.issuer) > 0 {
		iss := c.iss
		if s, ok := iss.(string); !ok || !slices.Contains(p.issuer, s) {
			return &TokenError{Reason: TokenInvalidIssuer, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf(msgIssuer, js.Stringify(iss), js.ArrayString(p.issuer))}
		}
	}
	nowMs := js.Millis(p.now)
	skewMs := p.clockSkewMs
	exp := c.exp
	expF, ok := exp.(float64)
	if !ok {
		return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
			Message: fmt.Sprintf(msgExpNotNumber, js.Stringify(exp))}
	}
	if t := js.SecondsToTime(expF); js.Millis(t) <= nowMs-skewMs {
		return &TokenError{Reason: TokenExpired,
			Message: expiredMessage(t, p.now)}
	}
	if nbf := c.nbf; !js.IsUndefined(nbf) {
		f, ok := nbf.(float64)
		if !ok {
			return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf(msgNBFNotNumber, js.Stringify(nbf))}
		}
		if t := js.SecondsToTime(f); js.Millis(t) > nowMs+skewMs {
			return &TokenError{Reason: TokenNotActiveYet,
				Message: fmt.Sprintf(msgNotActiveYet, js.UTCString(t), js.UTCString(p.now))}
		}
	}
	if iat := c.iat; !js.IsUndefined(iat) {
		f, ok := iat.(float64)
		if !ok {
			return &TokenError{Reason: TokenVerificationFailed, Action: ActionEnsureClerkJWT,
				Message: fmt.Sprintf(msgIATNotNumber, js.Stringify(iat))}
		}
		if t := js.SecondsToTime(f); js.Millis(t) > nowMs+skewMs {
			return &TokenError{Reason: TokenIatInTheFuture,
				Message: fmt.Sprintf(msgIATInTheFuture, js.UTCString(t), js.UTCString(p.now))}
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
				Message: fmt.Sprintf(msgAudience, js.Stringify(aud), wantJSON)}
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
				Message: fmt.Sprintf(msgAudienceArray, js.Stringify(aud), wantJSON)}
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

func verifyFound(r verifyResult) string {
	if r.Err == nil {
		if r.Signature.State == SigVerified {
			if t := lastVerified.Load(); t != nil && t.detail == r.Signature.Detail {
				return t.found
			}
			return "valid: " + r.Signature.Detail + "; claims pass"
		}
		return "claims pass; signature " + string(r.Signature.State) + " (" + r.Signature.Detail + ")"
	}
	if te := asError[*TokenError](r.Err); te != nil {
		return te.Reason + ": " + te.Message
	}
	return "could not verify: " + r.Err.Error()
}

// verifiedTexts are the texts of a signature that matches the key from
// source: the signature's detail and the verify step's finding, which the
// verdicts of every request signed by one key write alike. lastVerified
// are the ones made last, the texts of the key every request of a capture
// is checked with.
type verifiedTexts struct{ source, detail, found string }

var (
	verifiedTextsFor = newMemo[string, *verifiedTexts](16)
	lastVerified     atomic.Pointer[verifiedTexts]
)

func verifiedTextsOf(source string) *verifiedTexts {
	if t := lastVerified.Load(); t != nil && t.source == source {
		return t
	}
	t, ok := verifiedTextsFor.get(source)
	if !ok {
		detail := "signature matches " + source
		t = &verifiedTexts{source: source, detail: detail, found: "valid: " + detail + "; claims pass"}
		verifiedTextsFor.put(source, t)
	}
	lastVerified.Store(t)
	return t
}
