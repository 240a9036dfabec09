package inspect

import (
	"crypto/rsa"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// A capture sends the same few values thousands of times: the browser
// attaches one Cookie header, and so one session token, to every request
// until the token is refreshed. What depends on the value alone — a
// token's decoding, whether its signature matches a key, a Cookie
// header's pairs — is worked out once and shared by every verdict; what
// depends on the clock (the claims' times, the cookie-set rules) is still
// judged per request. Every memo is bounded, so a capture of millions of
// distinct tokens holds a few hundred, and safe for concurrent use (the
// dashboard judges while its list is drawn). What a memo hands out is
// shared: it is never changed, by the engine or by its callers.

// memo is a bounded map safe for concurrent use: two generations of at
// most size entries; when the current one is full it becomes the old one
// and the old one is emptied to be the current one (its storage is kept,
// so that a stream of new values does not make a map per generation),
// and a value found in the old one moves back to the current one. What is
// in use stays; a flood of values seen once costs at most 2 × size
// entries.
type memo[K comparable, V any] struct {
	mu       sync.Mutex
	size     int
	cur, old map[K]V
}

func newMemo[K comparable, V any](size int) *memo[K, V] {
	return &memo[K, V]{size: size, cur: make(map[K]V, size)}
}

func (m *memo[K, V]) get(k K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.cur[k]; ok {
		return v, true
	}
	v, ok := m.old[k]
	if ok {
		m.putLocked(k, v)
	}
	return v, ok
}

func (m *memo[K, V]) put(k K, v V) {
	m.mu.Lock()
	m.putLocked(k, v)
	m.mu.Unlock()
}

func (m *memo[K, V]) putLocked(k K, v V) {
	if len(m.cur) >= m.size {
		if m.old == nil {
			m.old = make(map[K]V, m.size)
		}
		clear(m.old)
		m.old, m.cur = m.cur, m.old
	}
	m.cur[k] = v
}

// len is how many entries the memo holds (both generations).
func (m *memo[K, V]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.cur) + len(m.old)
}

// Memo sizes: a token is a few kilobytes decoded, a Cookie header's pairs
// a kilobyte or two, a signature check a key's and a token's text (the
// token's own copy, see decodeToken: the checks are of decoded tokens).
// At most twice each is held: a few megabytes at worst.
const (
	tokenMemoSize     = 256
	cookieMemoSize    = 256
	signatureMemoSize = 256
)

// decodedToken is DecodeJWT's answer for one token, with the SDK's shape
// test (jwtFormat) and the kind of JWT it is, which the engine asks of the
// same tokens several times per request.
type decodedToken struct {
	jwt    *JWT
	err    error
	format bool
	// oauth is isOAuthJWT (typ at+jwt), m2m isM2MJWT (sub mch_…) and
	// nonSession hasNonSessionCategory (a cat other than a session's).
	oauth, m2m, nonSession bool
	// claims are the payload's claims that verification checks.
	claims *tokenClaims
}

// newDecodedToken is the decodedToken of a token decoded.
func newDecodedToken(j *JWT, format bool, err error) decodedToken {
	d := decodedToken{jwt: j, err: err, format: format}
	if err != nil {
		return d
	}
	if format {
		typ, _ := js.AsString(js.Field(j.Header, "typ"))
		d.oauth = typ == typOAuthJWT || typ == typOAuthJWTLong
		sub, ok := js.AsString(j.Claim("sub"))
		d.m2m = ok && strings.HasPrefix(sub, prefixM2MSubject)
	}
	d.nonSession = isNonSessionCategory(js.Field(j.Header, "cat"))
	c := readClaims(j.Payload)
	d.claims = &c
	return d
}

var tokens = newMemo[string, decodedToken](tokenMemoSize)

// decodeToken is DecodeJWT through the memo. The error is a fresh copy
// each time: the engine writes the token's carrier into it.
func decodeToken(token string) decodedToken {
	d, ok := tokens.get(token)
	if !ok {
		// The token is usually part of a Cookie header: a copy keeps the
		// memo from holding the whole header.
		token = strings.Clone(token)
		j, format, err := decodeJWTFormat(token)
		d = newDecodedToken(j, format, err)
		tokens.put(token, d)
	}
	if te, ok := d.err.(*TokenError); ok {
		c := *te
		d.err = &c
	}
	return d
}

// parsedCookies is a Cookie header's pairs in order, and the first value
// of each name (what the SDK's cookie parser reads).
type parsedCookies struct {
	list  []Cookie
	first map[string]string
	// seen is what the engine worked out from the header's pairs (see
	// cookieSeen).
	seen *cookieSeen
}

var cookieHeaders = newMemo[string, parsedCookies](cookieMemoSize)

// cookiesOf parses a Cookie header through the memo.
func cookiesOf(header string) parsedCookies {
	if header == "" {
		return parsedCookies{}
	}
	p, ok := cookieHeaders.get(header)
	if !ok {
		list := parseCookieHeader(header)
		p = parsedCookies{list: list[:len(list):len(list)], first: cookieMap(list), seen: &cookieSeen{}}
		cookieHeaders.put(header, p)
	}
	return p
}

// signatureCheck names one signature check: the key (its modulus and
// exponent), the algorithm and the token. Whether a signature matches does
// not depend on the clock.
type signatureCheck struct {
	modulus string
	e       int
	alg     string
	token   string
}

var signatures = newMemo[signatureCheck, bool](signatureMemoSize)

// keyIDs remembers the modulus of the keys last used, so that a check
// does not serialise the key each time.
var keyIDs = newMemo[*rsa.PublicKey, string](16)

func keyID(pub *rsa.PublicKey) string {
	if id, ok := keyIDs.get(pub); ok {
		return id
	}
	id := string(pub.N.Bytes())
	keyIDs.put(pub, id)
	return id
}

// signatureOf names a signature check by the identities of the key and
// of the decoded token, which the key sources and the token memo share
// between requests: finding a check costs the hash of two pointers
// instead of that of a modulus and a token's text. A key and a JWT
// handed out are never changed, and the memo holds them while it names
// them.
type signatureOf struct {
	pub *rsa.PublicKey
	alg string
	jwt *JWT
}

var checkedSignatures = newMemo[signatureOf, *checkedSignature](signatureMemoSize)

// lastSignature is the check found or made last: the one the requests of
// a capture that send one token ask for again.
var lastSignature atomic.Pointer[checkedSignature]

type checkedSignature struct {
	signatureOf
	ok bool
}

// checkSignatureMemo is checkSignature through the memos: the one by
// identity, then the one by text (a key imported again, a token decoded
// again).
func checkSignatureMemo(j *JWT, key *Key, alg string) bool {
	if key == nil || key.Public == nil || key.Public.N == nil {
		return checkSignature(j, key, alg)
	}
	id := signatureOf{pub: key.Public, alg: alg, jwt: j}
	if c := lastSignature.Load(); c != nil && c.signatureOf == id {
		return c.ok
	}
	c, found := checkedSignatures.get(id)
	if !found {
		k := signatureCheck{modulus: keyID(key.Public), e: key.Public.E, alg: alg, token: j.Raw}
		ok, found := signatures.get(k)
		if !found {
			ok = checkSignature(j, key, alg)
			signatures.put(k, ok)
		}
		c = &checkedSignature{id, ok}
		checkedSignatures.put(id, c)
	}
	lastSignature.Store(c)
	return c.ok
}
