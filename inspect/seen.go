package inspect

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// What the engine reads off a Cookie header it has seen before is kept
// with the header's pairs (parsedCookies.seen): which cookie set the SDK
// reads (§2.3) and the texts of the steps that quote the header. A capture
// sends one header with thousands of requests; the verdicts share what it
// gives. The clock is left out: rule 6 of §2.3 (not a production instance)
// compares the suffixed token's exp with the request's time, so a choice
// that reached it is worked out again for every request.

// cookieSeen holds the readings of one Cookie header, one per instance it
// was judged against (cookieReadingsPerHeader at most).
type cookieSeen struct {
	mu       sync.Mutex
	readings []*cookieReading
	// tokens are the header's values decoded as JWTs (the session
	// tokens), cookieTokensPerHeader at most.
	tokens []seenToken
}

const (
	cookieReadingsPerHeader = 4
	cookieTokensPerHeader   = 4
)

// seenToken is one of a Cookie header's values, decoded. raw is the
// value as the header's pairs hold it, which is the string the engine
// asks about: finding it compares two pointers, where the token memo
// hashes and compares the token's kilobyte of text.
type seenToken struct {
	raw string
	d   decodedToken
}

// token is the decoding kept for raw, a value of the header.
func (s *cookieSeen) token(raw string) (decodedToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.raw == raw {
			return t.d, true
		}
	}
	return decodedToken{}, false
}

// keepToken keeps the decoding of raw if raw is one of the values of
// list, the header's pairs, and there is room.
func (s *cookieSeen) keepToken(list []Cookie, raw string, d decodedToken) {
	if s == noCookieHeader {
		return
	}
	for _, c := range list {
		if c.Value == raw {
			s.mu.Lock()
			if len(s.tokens) < cookieTokensPerHeader {
				s.tokens = append(s.tokens, seenToken{raw: raw, d: d})
			}
			s.mu.Unlock()
			return
		}
	}
}

// noCookieHeader is what a request without a Cookie header gives.
var noCookieHeader = &cookieSeen{}

// cookieReading is one header read for one instance: the cookie set the
// SDK reads and the texts of the steps that quote it. Shared by every
// verdict that reads the header so; never changed once made, but for
// iatFound, which is filled in (under cookieSeen.mu) when first asked for.
type cookieReading struct {
	suffix, api, instance string
	// set is the choice, its Read as when the URL overrides none of the
	// cookies (the handshake, nonce and dev browser query parameters).
	set *CookieSet
	// step is the 2.3 step's ID (with the rule), setFound its finding,
	// uatFound the finding of C7–C9.
	step, setFound, uatFound string
	// iatFound is C12's finding (the session token's iat against
	// __client_uat), made when a request first reaches it.
	iatFound string
	// values are the cookies the engine reads, as the set chosen gives
	// them.
	values cookieValues
}

// cookieValues are the values of the cookies the SDK reads, in the set
// chosen; the query parameters that override some of them are the
// engine's to apply.
type cookieValues struct {
	session, refresh, devBrowser, handshake, nonce string
	// clientUAT and redirectCount are numbers (0 when absent or not
	// numbers).
	clientUAT, redirectCount float64
}

// cookieValues reads the cookies of the set chosen (j.suffixedChoice).
func (j *judge) cookieValues() cookieValues {
	v := cookieValues{
		session:    j.suffixedOrNot(CookieSession),
		refresh:    j.suffixed(CookieRefresh),
		clientUAT:  j.suffixedOrNotUAT(),
		devBrowser: j.suffixedOrNot(CookieDevBrowser),
		handshake:  j.cookie(CookieHandshake),
		nonce:      j.cookie(CookieHandshakeNonce),
	}
	if c, ok := j.cookies[CookieRedirectCount]; ok {
		if n := js.Number(c); !math.IsNaN(n) {
			v.redirectCount = n
		}
	}
	return v
}

// reading is the engine's reading of the request's Cookie header for its
// instance: the one made before for the same header and instance, or one
// made now (and kept unless it depends on the clock).
func (j *judge) reading() *cookieReading {
	s := j.seenCookies
	if s != nil {
		s.mu.Lock()
		for _, r := range s.readings {
			if r.suffix == j.suffix && r.api == j.originalAPI && r.instance == j.instance {
				s.mu.Unlock()
				return r
			}
		}
		s.mu.Unlock()
	}
	cs := j.usesSuffixedCookies()
	j.suffixedChoice = cs
	cs.Read = j.cookieReads(true, true, true)
	set := "un-suffixed"
	if cs.Suffixed {
		set = "suffixed (_" + j.suffix + ")"
	}
	values := j.cookieValues()
	uatText := "__client_uat = " + js.NumberString(values.clientUAT)
	if values.clientUAT == 0 {
		uatText += " (no signed-in client)"
	}
	sessText := "no __session"
	if values.session != "" {
		sessText = "__session present"
	}
	r := &cookieReading{suffix: j.suffix, api: j.originalAPI, instance: j.instance, set: cs,
		step: stepCookieSet + cs.Rule, setFound: set + ": " + cs.Why, uatFound: uatText + "; " + sessText, values: values}
	// Rules 1 to 5 come before the clock is read; past them, only a
	// production instance skips rule 6.
	clockFree := j.instance == Production
	switch cs.Rule {
	case "1", "2", "3", "4", "5":
		clockFree = true
	}
	if s != nil && clockFree {
		s.mu.Lock()
		if len(s.readings) >= cookieReadingsPerHeader {
			s.readings = s.readings[1:]
		}
		s.readings = append(s.readings, r)
		s.mu.Unlock()
	}
	return r
}

// suffixedOrNotUAT is __client_uat of the cookie set chosen, as a number
// (0 when absent or not a number).
func (j *judge) suffixedOrNotUAT() float64 {
	uat := js.ParseInt(j.suffixedOrNot(CookieClientUAT))
	if math.IsNaN(uat) {
		return 0
	}
	return uat
}

// cookieReads are the names of the cookies the SDK takes its values from
// (CookieSet.Read), in the order it reads them; dev, handshake and nonce
// are false when the URL's query gives that value instead.
func (j *judge) cookieReads(dev, handshake, nonce bool) []string {
	read := make([]string, 0, 7)
	read = append(read, j.suffixedOrNotName(CookieSession), j.suffixedName(CookieRefresh), j.suffixedOrNotName(CookieClientUAT))
	if dev {
		read = append(read, j.suffixedOrNotName(CookieDevBrowser))
	}
	if handshake {
		read = append(read, CookieHandshake)
	}
	read = append(read, CookieRedirectCount)
	if nonce {
		read = append(read, CookieHandshakeNonce)
	}
	return read
}

// iatStep is the finding of C12 (the token's iat against __client_uat)
// for the reading's token, made once.
func (j *judge) iatStep(iat any) string {
	text := func() string {
		return fmt.Sprintf("iat %s, __client_uat %s", js.Stringify(iat), js.NumberString(j.clientUAT))
	}
	r, s := j.cookieReading, j.seenCookies
	if r == nil || s == nil {
		return text()
	}
	s.mu.Lock()
	found := r.iatFound
	s.mu.Unlock()
	if found == "" {
		found = text()
		s.mu.Lock()
		r.iatFound = found
		s.mu.Unlock()
	}
	return found
}

// auths keeps the auth object (toAuth()) of a session token's claims: it
// depends on the claims alone, and a capture's requests carry the same
// few tokens. Keyed by the decoded token, which the token memo shares.
var auths = newMemo[*JWT, *Auth](tokenMemoSize)

// authOf is signedInAuth(claims), made once per token when claims are the
// payload of token as decoded (always, but for a refresh's or handshake's
// claims from elsewhere).
func (j *judge) authOf(claims any, token string) *Auth {
	tok, err := j.decode(token)
	if err != nil || !samePayload(tok.Payload, claims) {
		return signedInAuth(claims)
	}
	if tok == j.auth.of {
		return j.auth.a
	}
	a, ok := auths.get(tok)
	if !ok {
		a = signedInAuth(claims)
		auths.put(tok, a)
	}
	j.auth.of, j.auth.a = tok, a
	return a
}

// samePayload reports whether a and b are one decoded JSON object (not
// merely equal ones).
func samePayload(a, b any) bool {
	ma, ok := a.(map[string]any)
	mb, okB := b.(map[string]any)
	return ok && okB && reflect.ValueOf(ma).UnsafePointer() == reflect.ValueOf(mb).UnsafePointer()
}

// expiredTexts keeps the SDK's message for an expired token by the
// seconds it names (the token's exp and the request's time, which
// js.UTCString writes to the second): a capture's requests after its tab
// slept share one a second.
var expiredTexts = newMemo[[2]int64, string](64)

// expiredMessage is msgExpired for a token that expired at exp, judged at
// now.
func expiredMessage(exp, now time.Time) string {
	k := [2]int64{exp.Unix(), now.Unix()}
	if m, ok := expiredTexts.get(k); ok {
		return m
	}
	m := fmt.Sprintf(msgExpired, js.UTCString(exp), js.UTCString(now))
	expiredTexts.put(k, m)
	return m
}
