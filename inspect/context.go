package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
	"github.com/clerkscope/clerkscope/internal/words"
)

// judge holds the AuthenticateContext of one request.
type judge struct {
	// evidence holds the steps while the request is judged (a verdict has
	// a dozen at most, usually fewer); Judge copies them out at their size.
	evidence [12]Step
	// lastToken is the token the request decoded last.
	lastToken decodedToken
	lastRaw   string // the string lastToken was asked for by
	// names are the suffixed cookie names of suffix.
	names *suffixedNames
	// auth is the auth object authOf gave last, and the token it is of:
	// the engine asks for it again when it writes the signed-in state.
	auth struct {
		of *JWT
		a  *Auth
	}

	env  Env
	opts Options
	v    *Verdict

	accepts *AcceptsToken

	// url is the request's URL, parsed into the pooled judge rather than
	// an allocation of its own; clerkURL is it or the URL the app sees.
	// Neither outlives the request (what keeps a URL clones it).
	url         js.URL
	clerkURL    *js.URL
	method      string
	cookies     map[string]string
	cookieList  []Cookie
	suffix      string
	pk          *PublishableKey
	instance    string
	frontendAPI string // effective (proxy / satellite domain)
	originalAPI string // from the key, for token ownership
	proxyURL    string

	tokenInHeader   string
	hasHeaderToken  bool
	origin          string
	referrer        string
	secFetchDest    string
	accept          string
	sessionInCookie string
	refreshInCookie string
	clientUAT       float64
	devBrowserToken string
	handshakeToken  string
	handshakeNonce  string
	redirectCount   float64
	suffixedChoice  *CookieSet
	// seenCookies is what was worked out before from the request's Cookie
	// header, cookieReading the reading of it for this instance.
	seenCookies    *cookieSeen
	cookieReading  *cookieReading
	keys           KeySource
	pemKey         PEMKey // keys when they are jwtKey
	assumeValidSig bool
	orgMatcher     *orgMatcher
}

// deriveURL is ClerkRequest.deriveUrlFromHeaders.
func deriveURL(u *js.URL, hx *headerIndex) *js.URL {
	fproto, hasProto := hx.get(readForwardedProto)
	fhost, hasFHost := hx.get(readForwardedHost)
	host, hasHost := hx.get(readHost)
	if !hasHost {
		host, hasHost = hx.get(readAuthority)
	}
	resolvedHost := ""
	if hasFHost {
		resolvedHost, _, _ = strings.Cut(fhost, ",")
	} else if hasHost {
		resolvedHost = host
	}
	proto := u.Scheme()
	if hasProto {
		proto, _, _ = strings.Cut(fproto, ",")
	}
	if resolvedHost == "" || proto == "" {
		return u
	}
	origin := proto + "://" + resolvedHost
	if origin == u.Origin() {
		return u
	}
	if r, ok := u.WithOrigin(origin); ok {
		return r
	}
	return u
}

// initPublishableKey reads the instance off the publishable key, which
// run parsed (pk, err) unless it is empty.
func (j *judge) initPublishableKey(pk *PublishableKey, err error) error {
	if j.opts.PublishableKey == "" && j.env.Infer {
		j.suffix = suffixFromCookieNames(j.cookieList)
		j.v.Instance.CookieSuffix = j.suffix
		j.v.Instance.Inferred = "unknown: no publishable key was given and no token names its issuer"
		j.assume("the instance is unknown (no publishable key, no token with an iss claim): development-only checks were skipped and the handshake URL's host is not known; pass --publishable-key")
		j.step(stepInstance, "instance", "unknown; cookie suffix "+words.If(j.suffix != "", j.suffix, "(absent)")+" taken from the cookie names")
		return nil
	}
	if j.opts.PublishableKey == "" {
		pk, err = parsePublishableKeyCached("")
	}
	if err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			j.step(stepPublishableKey, "publishable key", ke.Error())
			return j.throw(ke.Text)
		}
		return j.throw(err.Error())
	}
	j.pk = pk
	j.instance = pk.InstanceType
	j.originalAPI = pk.FrontendAPI
	if pk.InstanceType != Development && j.opts.Domain != "" && j.opts.IsSatellite {
		j.originalAPI = "clerk." + j.opts.Domain
	}
	j.frontendAPI = j.originalAPI
	proxy := j.opts.ProxyURL
	if strings.HasPrefix(proxy, "/") {
		proxy = j.clerkURL.Origin() + proxy
	}
	if proxy != "" {
		j.frontendAPI = proxy
	}
	j.v.Instance.PublishableKey = pk.Key
	j.v.Instance.Type = pk.InstanceType
	j.v.Instance.FrontendAPI = j.originalAPI
	j.v.Instance.CookieSuffix = pk.CookieSuffix
	return nil
}

func (j *judge) initHeaders(hx *headerIndex) {
	if auth, ok := hx.get(readAuthorization); ok && auth != "" {
		scheme, rest, hasSpace := strings.Cut(auth, " ")
		token := rest
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			token = rest[:i]
		}
		switch {
		case !hasSpace || token == "":
			j.tokenInHeader, j.hasHeaderToken = scheme, true
		case scheme == bearerScheme:
			j.tokenInHeader, j.hasHeaderToken = token, true
		}
		if j.hasHeaderToken {
			j.step(stepAuthorization, "Authorization header", "carries a token: the header path is used and cookies are not read")
		} else {
			j.step(stepAuthorization, "Authorization header", "scheme "+quoteShort(scheme)+" is not \"Bearer\": ignored, cookies are used")
		}
	}
	j.origin = hx.value(readOrigin)
	j.referrer = hx.value(readReferrer)
	j.secFetchDest = hx.value(readSecFetchDest)
	j.accept = hx.value(readAccept)
}

func (j *judge) initCookies() {
	r := j.reading()
	j.cookieReading = r
	j.suffixedChoice = r.set
	j.step(r.step, "which cookie set the SDK reads", r.setFound)
	c := &r.values
	j.sessionInCookie = c.session
	j.refreshInCookie = c.refresh
	j.clientUAT = c.clientUAT
	var hasDevURL, hasHandshakeURL, hasNonceURL bool
	j.devBrowserToken, hasDevURL = j.queryOr(QueryDevBrowser, c.devBrowser)
	j.handshakeToken, hasHandshakeURL = j.queryOr(QueryHandshake, c.handshake)
	j.redirectCount = c.redirectCount
	j.handshakeNonce, hasNonceURL = j.queryOr(QueryHandshakeNonce, c.nonce)
	if hasDevURL || hasHandshakeURL || hasNonceURL {
		// The reading's Read is for a URL that overrides none of them.
		cs := *r.set
		cs.Read = j.cookieReads(!hasDevURL, !hasHandshakeURL, !hasNonceURL)
		j.suffixedChoice = &cs
	}
	j.v.CookieSet = j.suffixedChoice
}

// queryOr is the request URL's non-empty parameter name, which the SDK
// reads before the cookie, else cookie; fromURL says which it is.
func (j *judge) queryOr(name, cookie string) (v string, fromURL bool) {
	if v, ok := j.clerkURL.Get(name); ok && v != "" {
		return v, true
	}
	return cookie, false
}

// usesSuffixedCookies is §2.3, rule by rule.
func (j *judge) usesSuffixedCookies() *CookieSet {
	cs := &CookieSet{Suffix: j.suffix}
	us := j.suffixed(CookieClientUAT)
	_, hasUs := j.cookies[j.suffixedName(CookieClientUAT)]
	hasUs = hasUs && us != ""
	u := j.cookie(CookieClientUAT)
	hasU := u != ""
	ss := j.suffixed(CookieSession)
	s := j.cookie(CookieSession)
	if s != "" {
		sj, err := j.decode(s)
		if err != nil || !js.Truthy(sj.Claim("iss")) {
			cs.Rule, cs.Why = "1", "__session is present but is not a JWT with an iss claim, so the un-suffixed set is used"
			return cs
		}
		iss, isStr := js.AsString(sj.Claim("iss"))
		issHost := stripScheme(iss)
		if !isStr || issHost != j.originalAPI {
			cs.Suffixed = true
			cs.Rule, cs.Why = "2", fmt.Sprintf("__session was issued by %s, not this instance (%s): it belongs to another app on the same domain", js.ToString(sj.Claim("iss")), j.originalAPI)
			return cs
		}
	}
	if !hasUs && ss == "" {
		cs.Rule, cs.Why = "3", "there is no __session_"+j.suffix+" or __client_uat_"+j.suffix
		return cs
	}
	iat := func(tok string) float64 {
		jj, err := j.decode(tok)
		if err != nil {
			return 0
		}
		v := jj.Claim("iat")
		if !js.Truthy(v) {
			return 0
		}
		return js.ToNumber(v)
	}
	iatS, iatSs := iat(s), iat(ss)
	if (!hasUs || us != "0") && (!hasU || u != "0") && iatS > iatSs {
		cs.Rule, cs.Why = "4", fmt.Sprintf("the un-suffixed __session is newer (iat %s > %s)", js.NumberString(iatS), js.NumberString(iatSs))
		return cs
	}
	if hasUs && us == "0" && (!hasU || u != "0") {
		cs.Rule, cs.Why = "5", "__client_uat_"+j.suffix+" is 0 but __client_uat is not"
		return cs
	}
	if j.instance != Production {
		expired := false
		if jj, err := j.decode(ss); err == nil {
			expired = js.ToNumber(jj.Claim("exp")) <= math.Trunc(float64(j.env.Now.UnixMilli())/1000)
		}
		if (!hasUs || us != "0") && hasU && u == "0" && expired {
			cs.Rule, cs.Why = "6", "development: __client_uat is 0 and __session_"+j.suffix+" has expired"
			return cs
		}
	}
	if !hasUs && ss != "" {
		cs.Rule, cs.Why = "7", "__session_"+j.suffix+" is present but __client_uat_"+j.suffix+" is not"
		return cs
	}
	cs.Suffixed = true
	cs.Rule, cs.Why = "8", "the suffixed cookies are present and no rule prefers the un-suffixed ones"
	return cs
}

func stripScheme(s string) string {
	for {
		l := strings.ToLower(s)
		switch {
		case strings.Contains(l, "https://"):
			i := strings.Index(l, "https://")
			s = s[:i] + s[i+8:]
		case strings.Contains(l, "http://"):
			i := strings.Index(l, "http://")
			s = s[:i] + s[i+7:]
		default:
			return s
		}
	}
}

func (j *judge) cookie(name string) string { return j.cookies[name] }

func (j *judge) suffixed(name string) string { return j.cookies[j.suffixedName(name)] }

// suffixedName is the name getSuffixedCookieName gives a cookie.
func (j *judge) suffixedName(name string) string {
	if j.names == nil || j.names.suffix != j.suffix {
		j.names = namesFor(j.suffix)
	}
	switch name {
	case CookieSession:
		return j.names.session
	case CookieRefresh:
		return j.names.refresh
	case CookieClientUAT:
		return j.names.clientUAT
	case CookieDevBrowser:
		return j.names.devBrowser
	}
	return name + "_" + j.suffix
}

// suffixedNames are the suffixed names of the cookies the SDK reads for one
// suffix, made once for every request of an instance.
type suffixedNames struct {
	suffix                                  string
	session, refresh, clientUAT, devBrowser string
}

var suffixNames = newMemo[string, *suffixedNames](16)

func namesFor(suffix string) *suffixedNames {
	if n, ok := suffixNames.get(suffix); ok {
		return n
	}
	n := &suffixedNames{suffix: suffix, session: CookieSession + "_" + suffix, refresh: CookieRefresh + "_" + suffix,
		clientUAT: CookieClientUAT + "_" + suffix, devBrowser: CookieDevBrowser + "_" + suffix}
	suffixNames.put(suffix, n)
	return n
}

func (j *judge) suffixedOrNot(name string) string { return j.cookies[j.suffixedOrNotName(name)] }

// suffixedOrNotName is the name of the cookie getSuffixedOrUnSuffixedCookie
// reads: the suffixed one when the suffixed set is in use.
func (j *judge) suffixedOrNotName(name string) string {
	if j.suffixedChoice.Suffixed {
		return j.suffixedName(name)
	}
	return name
}

func (j *judge) sessionToken() string {
	if j.sessionInCookie != "" {
		return j.sessionInCookie
	}
	if j.hasHeaderToken {
		return j.tokenInHeader
	}
	return ""
}

func (j *judge) usesSuffixed() bool {
	if j.suffixedChoice == nil {
		return false
	}
	return j.suffixedChoice.Suffixed
}

func (j *judge) isCrossOriginReferrer() bool {
	if j.referrer == "" {
		return false
	}
	r, err := js.ParseURL(j.referrer)
	if err != nil {
		return false
	}
	return r.Origin() != j.clerkURL.Origin()
}

func (j *judge) isKnownClerkReferrer() bool {
	r, err := js.ParseURL(j.referrer)
	if err != nil {
		return false
	}
	host := r.Hostname()
	if j.frontendAPI != "" {
		fapi := j.frontendAPI
		if strings.HasPrefix(fapi, "http") {
			if u, err := js.ParseURL(fapi); err == nil {
				fapi = u.Hostname()
			}
		}
		if host == fapi {
			return true
		}
	}
	if j.instance != Production && (isLegacyDevAccountPortalHost(host) || isCurrentDevAccountPortalHost(host)) {
		return true
	}
	if acc := accountsBaseURL(j.frontendAPI); acc != "" {
		if u, err := js.ParseURL(acc); err == nil && u.Origin() == r.Origin() {
			return true
		}
	}
	return false
}

// setupKeys picks the key source: an explicit one, jwtKey, or the JWKS of
// the Backend API.
func (j *judge) setupKeys() {
	switch {
	case j.env.Keys != nil:
		j.keys = j.env.Keys
	case j.opts.JWTKey != "":
		j.pemKey = PEMKey{PEM: j.opts.JWTKey}
		j.keys = &j.pemKey
	case j.opts.SecretKey != "" || j.opts.API != nil && j.opts.API.JWKS != nil:
		j.keys = &remoteKeys{j: j}
	default:
		if j.env.Infer {
			j.assumeValidSig = true
		}
	}
}

func (j *judge) backend() Backend {
	if j.env.Backend != nil {
		return j.env.Backend
	}
	return Canned{API: j.opts.API}
}

// verifyParams are the authenticate context's options as verifyToken reads
// them.
func (j *judge) verifyParams() verifyParams {
	skewMs := float64(defaultClockSkewMs)
	if j.opts.ClockSkewInMs != nil && !math.IsNaN(*j.opts.ClockSkewInMs) && !math.IsInf(*j.opts.ClockSkewInMs, 0) {
		skewMs = *j.opts.ClockSkewInMs
	}
	return verifyParams{
		keys:              j.keys,
		assumeValid:       j.assumeValidSig,
		audience:          j.opts.Audience,
		authorizedParties: j.opts.AuthorizedParties,
		issuer:            nonEmpty(j.opts.Issuer),
		clockSkewMs:       skewMs,
		now:               j.env.Now,
		decoder:           j,
	}
}

// verify is verifyToken with the context's options; the signature it
// checked is the verdict's.
func (j *judge) verify(ctx context.Context, token string) verifyResult {
	r := verifyToken(ctx, token, j.verifyParams())
	s := r.Signature
	j.v.Signature = &s
	if j.assumeValidSig && s.State == SigUnverified {
		j.assume("the token's signature is valid (no jwtKey, JWKS or secret key was given, so it was not checked)")
	}
	return r
}

// decode is DecodeJWT: the SDK decodes the same token many times per
// request (cookie-set choice, category, machine sniffing, verification),
// and a capture sends it with many requests; it is decoded once.
func (j *judge) decode(token string) (*JWT, error) {
	d := j.decoded(token)
	return d.jwt, d.err
}

// decoded is decodeToken, with the request's last token at hand: the
// engine asks about the same one a dozen times.
func (j *judge) decoded(token string) decodedToken {
	// lastRaw is the caller's string, usually the same bytes as this one
	// (a value of the Cookie header's pairs): the comparison stops at the
	// pointer, where the token's own copy (jwt.Raw) would be read whole.
	if j.lastToken.jwt != nil && (token == j.lastRaw || j.lastToken.jwt.Raw == token) {
		j.lastRaw = token
		return j.lastToken
	}
	// A value of the Cookie header decoded for an earlier request.
	if j.seenCookies != nil {
		if d, ok := j.seenCookies.token(token); ok {
			j.lastToken, j.lastRaw = d, token
			return d
		}
	}
	d := decodeToken(token)
	if d.jwt != nil {
		j.lastToken, j.lastRaw = d, token
		if j.seenCookies != nil {
			j.seenCookies.keepToken(j.cookieList, token, d)
		}
	}
	return d
}

// claimsOf is the claims of t, when t is the token the request decoded
// last (the one verify is given).
func (j *judge) claimsOf(t *JWT) *tokenClaims {
	if t == j.lastToken.jwt {
		return j.lastToken.claims
	}
	return nil
}

// jwtFormat is the SDK's JWT shape test, memoised with the decode.
func (j *judge) jwtFormat(token string) bool { return j.decoded(token).format }

func (j *judge) step(id, check, found string) {
	j.v.Evidence = append(j.v.Evidence, Step{ID: id, Check: check, Found: found})
}

func (j *judge) outcome(o string) {
	if n := len(j.v.Evidence); n > 0 {
		j.v.Evidence[n-1].Outcome = o
	}
}

func (j *judge) assume(s string) {
	for _, a := range j.v.Assumptions {
		if a == s {
			return
		}
	}
	j.v.Assumptions = append(j.v.Assumptions, s)
}

func (j *judge) log(s string) { j.v.Logs = append(j.v.Logs, s) }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
