package inspect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
	"github.com/clerkscope/clerkscope/internal/words"
)

// Env is what the engine may use beyond the app's options.
type Env struct {
	// Now is the server clock: the HAR entry's startedDateTime, --now, or
	// the current time. The engine never reads the wall clock.
	Now time.Time
	// Keys overrides the key source (a JWKS file, the Backend API's JWKS).
	// When nil, jwtKey is used, else the JWKS comes from Backend.
	Keys KeySource
	// Backend answers Backend API calls; nil means canned answers from
	// Options.API, every other call failing like an unreachable network.
	Backend Backend
	// Infer is set when the options were not given in full (no config
	// file): a missing secret key is assumed present, and without any key
	// the signature is assumed valid instead of failing.
	Infer bool
}

// Judge decides one request exactly as @clerk/backend 3.25.0's
// authenticateRequest would with these options, and records why. ctx
// bounds the key fetches.
func Judge(ctx context.Context, req Request, opts Options, env Env) *Verdict {
	if ctx == nil {
		ctx = context.Background()
	}
	if env.Now.IsZero() {
		env.Now = time.Unix(0, 0)
	}
	j := judges.Get().(*judge)
	defer func() {
		*j = judge{} // nothing of this request is kept with the pooled judge
		judges.Put(j)
	}()
	// A judge from the pool is a zero one (New's, or one reset above).
	j.env, j.opts, j.v = env, opts, &Verdict{}
	j.v.Evidence = j.evidence[:0]
	s, err := j.run(ctx, req)
	if t := asError[*thrown](err); t != nil {
		j.v.apply(state{status: Throws})
		j.v.Error = t.text
	} else if err == nil {
		j.v.apply(s)
	}
	if j.v.Headers == nil {
		j.v.Headers = []Header{}
	}
	// The steps were written into the judge's own buffer; a capture keeps
	// every verdict, so they are held at their size.
	j.v.Evidence = append(make([]Step, 0, len(j.v.Evidence)), j.v.Evidence...)
	return j.v
}

// judges are judges ready for a request: a judge is a few kilobytes (its
// evidence buffer), made once per verdict otherwise.
var judges = sync.Pool{New: func() any { return new(judge) }}

// asError is errors.As for an error of type T (a *TokenError, a
// *thrown), without the allocation errors.As costs when err is one
// already; the zero T when err is none.
func asError[T error](err error) T {
	if t, ok := err.(T); ok || err == nil {
		return t
	}
	return asWrapped[T](err)
}

// asWrapped is errors.As for a T: its target escapes, so only an error
// that is not a T itself pays for one.
func asWrapped[T error](err error) T {
	var t T
	errors.As(err, &t)
	return t
}

// thrown is an exception out of authenticateRequest.
type thrown struct{ text string }

func (t *thrown) Error() string { return t.text }

func (j *judge) throw(text string) error {
	j.step(stepThrows, "configuration preconditions", words.FirstLine(text))
	j.outcome("authenticateRequest throws: the framework answers 500")
	return &thrown{text}
}

// run is authenticateRequest: the request state it returns, or the
// exception it throws (a *thrown).
func (j *judge) run(ctx context.Context, req Request) (state, error) {
	j.method = req.Method
	if j.method == "" {
		j.method = "GET"
	}
	j.method = strings.ToUpper(j.method)
	if err := js.ParseURLInto(&j.url, req.URL); err != nil {
		return state{}, j.throw(errTextURLParse + req.URL)
	}
	u := &j.url
	hx := indexHeaders(&req)
	j.clerkURL = deriveURL(u, &hx)
	if j.clerkURL != u && j.clerkURL.Href() != u.Href() {
		j.step(stepPublicURL, "public URL from Host / X-Forwarded-* headers", "the app sees "+j.clerkURL.Origin()+" (request URL "+u.Origin()+")")
	}
	cookies := cookiesOf(hx.value(readCookie))
	j.cookieList, j.cookies, j.seenCookies = cookies.list, cookies.first, cookies.seen
	if j.seenCookies == nil {
		j.seenCookies = noCookieHeader
	}
	j.accepts = j.opts.AcceptsToken
	acc := j.accepts.single()

	// createAuthenticateContext
	var pk *PublishableKey
	var pkErr error
	if j.opts.PublishableKey != "" {
		if pk, pkErr = parsePublishableKeyCached(j.opts.PublishableKey); pkErr == nil {
			j.suffix = pk.CookieSuffix
		} else {
			j.suffix = CookieSuffix(j.opts.PublishableKey)
		}
	}
	machineOnly := acc == TokenTypeM2M || acc == TokenTypeAPIKey
	if !machineOnly {
		if err := j.initPublishableKey(pk, pkErr); err != nil {
			return state{}, err
		}
	}
	j.initHeaders(&hx)
	if !machineOnly {
		j.initCookies()
	}
	j.proxyURL = j.opts.ProxyURL
	if strings.HasPrefix(j.proxyURL, "/") {
		j.proxyURL = j.clerkURL.Origin() + j.proxyURL
	}
	j.v.Instance.ProxyURL = j.proxyURL
	j.v.Instance.IsSatellite = j.opts.IsSatellite
	j.v.Instance.Domain = j.opts.Domain

	// Preconditions.
	if acc != TokenTypeM2M {
		if j.opts.SecretKey == "" {
			if !j.env.Infer {
				return state{}, j.throw(ErrTextSecretKeyMissing)
			}
			j.assume("the app has a secret key configured (none was given to clerkscope)")
		}
		if j.opts.IsSatellite {
			if j.opts.SignInURL == "" && isDevelopmentFromSecretKey(j.opts.SecretKey) {
				return state{}, j.throw(ErrTextSignInURLMissing)
			}
			if j.opts.SignInURL != "" && j.origin != "" {
				si, err := js.ParseURL(j.opts.SignInURL)
				if err != nil {
					return state{}, j.throw(ErrTextSignInURLNotAbsolute)
				}
				if si.Origin() == j.origin {
					return state{}, j.throw(ErrTextSignInURLSameOrigin)
				}
			}
			if j.proxyURL == "" && j.opts.Domain == "" {
				return state{}, j.throw(ErrTextSatelliteNoDomain)
			}
		}
	} else if j.opts.MachineSecretKey == "" && j.opts.SecretKey == "" {
		return state{}, j.throw(ErrTextMachineNoSecret)
	}
	om, err := newOrgMatcher(j.opts.OrganizationSyncOptions)
	if err != nil {
		return state{}, j.throw(err.Error())
	}
	j.orgMatcher = om
	j.setupKeys()

	if j.accepts != nil && j.accepts.IsList {
		typ := TokenTypeSession
		if j.hasHeaderToken && j.isMachineToken(j.tokenInHeader) {
			typ = j.machineTokenType(j.tokenInHeader)
		}
		j.step(stepAcceptsList, "acceptsToken list "+j.accepts.String()+" includes the presented token type", typ)
		if !j.accepts.accepts(typ) {
			j.outcome("not accepted")
			return signedOutInvalidToken(), nil
		}
	}
	if j.hasHeaderToken {
		switch {
		case acc == tokenTypeAny || j.accepts != nil && j.accepts.IsList:
			return j.anyTokenInHeader(ctx), nil
		case acc == TokenTypeSession:
			return j.sessionTokenInHeader(ctx), nil
		default:
			return j.machineTokenInHeader(ctx, acc), nil
		}
	}
	if acc == TokenTypeOAuth || acc == TokenTypeAPIKey || acc == TokenTypeM2M {
		j.step(stepNoHeaderToken, "acceptsToken is "+acc+" and there is no Authorization token", "no token in the Authorization header")
		return signedOutMachine(acc, NoTokenInHeader, ""), nil
	}
	return j.cookiePath(ctx)
}

// sessionTokenInHeader is authenticateRequestWithTokenInHeader (H1–H2).
func (j *judge) sessionTokenInHeader(ctx context.Context) state {
	t := j.tokenInHeader
	j.v.TokenCarrier = carrierHeader
	if tok, err := j.decode(t); err == nil {
		j.v.Token = tok
	}
	j.step(stepHeaderKind, "is the Authorization token a machine, OAuth or non-session JWT?", j.tokenKind(t))
	if j.isMachineJWT(t) || j.hasNonSessionCategory(t) {
		j.outcome("signed-out: wrong kind of token")
		return signedOut(TokenTypeMismatch, "", nil)
	}
	r := j.verify(ctx, t)
	j.step(stepHeaderVerify, "verify the Authorization token", verifyFound(r))
	if r.Err != nil {
		return j.sessionTokenError(ctx, r.Err, carrierHeader)
	}
	j.outcome("signed-in")
	return j.signedIn(r.Payload, t, nil)
}

// anyTokenInHeader is authenticateAnyRequestWithTokenInHeader.
func (j *judge) anyTokenInHeader(ctx context.Context) state {
	t := j.tokenInHeader
	if j.isMachineToken(t) {
		typ := j.machineTokenType(t)
		if !j.accepts.accepts(typ) {
			ret := typ
			if !j.accepts.IsList {
				ret = j.accepts.Single
			}
			return signedOutMachine(ret, TokenTypeMismatch, "")
		}
		return j.verifyMachine(ctx, typ, t)
	}
	if j.hasNonSessionCategory(t) {
		return signedOut(TokenTypeMismatch, "", nil)
	}
	j.v.TokenCarrier = carrierHeader
	r := j.verify(ctx, t)
	j.step(stepHeaderVerify, "verify the Authorization token", verifyFound(r))
	if r.Err != nil {
		return j.sessionTokenError(ctx, r.Err, carrierHeader)
	}
	return j.signedIn(r.Payload, t, nil)
}

// machineTokenInHeader is authenticateMachineRequestWithTokenInHeader.
func (j *judge) machineTokenInHeader(ctx context.Context, acc string) state {
	t := j.tokenInHeader
	j.step(stepMachineAccepted, "acceptsToken "+acc+": is the Authorization token a machine token?", j.tokenKind(t))
	if !j.isMachineToken(t) {
		return signedOutMachine(acc, TokenTypeMismatch, "")
	}
	typ := j.machineTokenType(t)
	if typ != acc {
		return signedOutMachine(acc, TokenTypeMismatch, "")
	}
	return j.verifyMachine(ctx, typ, t)
}

// cookiePath is authenticateRequestWithTokenInCookie (C1–C16).
func (j *judge) cookiePath(ctx context.Context) (state, error) {
	j.v.TokenCarrier = carrierCookie
	if j.sessionInCookie != "" {
		if tok, err := j.decode(j.sessionInCookie); err == nil {
			j.v.Token = tok
		}
	}
	hasActiveClient := j.clientUAT != 0
	hasSession := j.sessionInCookie != ""
	hasDevBrowser := j.devBrowserToken != ""

	if j.handshakeNonce != "" || j.handshakeToken != "" {
		what := "a __clerk_handshake token"
		if j.handshakeNonce != "" {
			what = "a __clerk_handshake_nonce"
		}
		j.step(stepHandshakePresent, "handshake nonce or token present?", "yes: "+what)
		s, err := j.resolveHandshake(ctx)
		if err == nil {
			return s, nil
		}
		var te *TokenError
		if errors.As(err, &te) && j.instance == Development {
			if te.Reason == TokenInvalidSignature {
				return state{}, j.throw(errTextHandshakeSignature)
			}
			return state{}, j.throw(fmt.Sprintf(errTextHandshakeFailed, te.FullMessage()))
		}
		var th *thrown
		if errors.As(err, &th) {
			return state{}, err
		}
		j.log(logUnableToResolveHandshake + err.Error())
		j.outcome("could not resolve the handshake (" + err.Error() + "): the SDK logs it and carries on as if there were none")
	}

	syncedParam, hasSynced := j.clerkURL.Get(QueryClerkSynced)
	needsSync := hasSynced && syncedParam == syncNeeded
	synced := hasSynced && syncedParam == syncCompleted
	hasCookies := hasSession || hasActiveClient
	multiDomainEligible := j.opts.IsSatellite && j.secFetchDest == secFetchDestDocument && j.method == "GET"
	autoSync := j.opts.SatelliteAutoSync != nil && *j.opts.SatelliteAutoSync
	skipSatellite := !autoSync && !hasCookies && !needsSync
	if j.opts.IsSatellite {
		j.step(stepSatelliteSync, "satellite sync (GET document navigation, __clerk_synced)", fmt.Sprintf("navigation: %v, __clerk_synced=%s, session or client_uat cookies: %v, satelliteAutoSync: %v", multiDomainEligible, words.If(hasSynced, syncedParam, "(absent)"), hasCookies, autoSync))
	}
	if multiDomainEligible && !synced && (j.instance == Production || j.instance == Development) {
		if skipSatellite {
			j.outcome("first visit without cookies and satelliteAutoSync off: signed-out without syncing")
			return signedOut(SessionTokenAndUATMissing, "", nil), nil
		}
		if !hasCookies || needsSync {
			if j.instance == Production {
				j.outcome("the satellite must sync with the primary domain")
				return j.maybeHandshake(SatelliteCookieNeedsSyncing, "", nil), nil
			}
			signIn, err := js.ParseURL(j.opts.SignInURL)
			if err != nil {
				return state{}, j.throw(errTextInvalidURL)
			}
			signIn.Append(QueryClerkRedirectURL, j.clerkURL.Href())
			h := &respHeaders{}
			h.set(HeaderLocation, signIn.Href())
			j.outcome("the development satellite sends the browser to the primary's sign-in URL to sync")
			return j.maybeHandshake(SatelliteCookieNeedsSyncing, "", h), nil
		}
	}

	redirectURL, hasRedirectURL := j.clerkURL.Get(QueryClerkRedirectURL)
	if j.instance == Development && !j.opts.IsSatellite && hasRedirectURL && redirectURL != "" {
		j.step(stepPrimarySync, "development primary asked to sync a satellite (__clerk_redirect_url)?", "yes: "+redirectURL)
		back, err := js.ParseURL(redirectURL)
		if err != nil {
			return state{}, j.throw(errTextInvalidURL)
		}
		if j.devBrowserToken != "" {
			back.Append(QueryDevBrowser, j.devBrowserToken)
		}
		back.Set(QueryClerkSynced, syncCompleted)
		h := &respHeaders{}
		h.set(HeaderLocation, back.Href())
		return j.maybeHandshake(PrimaryRespondsToSyncing, "", h), nil
	}
	if j.instance == Development && j.clerkURL.Has(QueryDevBrowser) {
		j.step(stepDevBrowserSync, "development: __clerk_db_jwt in the URL?", "yes: FAPI must store the dev browser")
		return j.maybeHandshake(DevBrowserSync, "", nil), nil
	}
	if j.instance == Development {
		j.step(stepDevBrowser, "development: dev browser token (__clerk_db_jwt) present?", words.If(hasDevBrowser, "yes", "no"))
		if !hasDevBrowser {
			return j.maybeHandshake(DevBrowserMissing, "", nil), nil
		}
	}
	j.step(stepClientUATAndSession, "__client_uat and __session", j.cookieReading.uatFound)
	if !hasActiveClient && !hasSession {
		j.outcome("signed-out: nothing says the browser is signed in")
		return signedOut(SessionTokenAndUATMissing, "", nil), nil
	}
	if !hasActiveClient && hasSession {
		return j.maybeHandshake(SessionTokenWithoutClientUAT, "", nil), nil
	}
	if hasActiveClient && !hasSession {
		return j.maybeHandshake(ClientUATWithoutSessionToken, "", nil), nil
	}
	tok, err := j.decode(j.sessionInCookie)
	j.step(stepDecodes, "does __session decode as a JWT?", words.If(err == nil, "yes", "no: "+errText(err)))
	if err != nil {
		return j.sessionTokenError(ctx, err, carrierCookie), nil
	}
	if tok.Payload == nil {
		return state{}, j.throw(errTextNullPayload)
	}
	j.step(stepSessionKind, "is __session a session token (not a template, machine or OAuth JWT)?", j.tokenKind(j.sessionInCookie))
	if j.isMachineJWT(j.sessionInCookie) || j.hasNonSessionCategory(j.sessionInCookie) {
		j.outcome("signed-out: wrong kind of token")
		return signedOut(TokenTypeMismatch, "", nil), nil
	}
	iat := tok.Claim("iat")
	j.step(stepIATBeforeClientUAT, "token iat vs __client_uat (a token older than the last client change is stale)", j.iatStep(iat))
	if js.Less(iat, j.clientUAT) {
		j.outcome("stale: the token was minted before the client last changed")
		return j.maybeHandshake(SessionTokenIATBeforeClientUAT, "", nil), nil
	}
	r := j.verify(ctx, j.sessionInCookie)
	j.step(stepCookieVerify, "verify __session", verifyFound(r))
	if r.Err != nil {
		return j.sessionTokenError(ctx, r.Err, carrierCookie), nil
	}
	if !js.Truthy(js.Field(r.Payload, "azp")) {
		j.log(logMissingAZP)
	}
	crossOrigin := j.isCrossOriginReferrer()
	if !j.opts.IsSatellite && j.method == "GET" && j.secFetchDest == secFetchDestDocument && crossOrigin {
		known := j.isKnownClerkReferrer()
		j.step(stepCrossOrigin, "primary domain: document navigation from another site?", fmt.Sprintf("Referer %s is cross-origin; known Clerk origin: %v; redirect count %s", j.referrer, known, js.NumberString(j.redirectCount)))
		if !known && j.redirectCount == 0 {
			return j.maybeHandshake(PrimaryDomainCrossOriginSync, msgCrossOriginSync, nil), nil
		}
	}
	auth := j.authOf(r.Payload, j.sessionInCookie)
	if auth.err != nil {
		j.step(stepAuthObject, "build the auth object", "toAuth() throws: "+auth.err.Error())
		j.outcome("signed-out unexpected-error")
		return signedOut(UnexpectedError, "", nil), nil
	}
	if !auth.Pending() && js.Truthy(auth.UserID) {
		if hs, ok := j.orgSync(auth); ok {
			return hs, nil
		}
	}
	j.step(stepSignedIn, "signed in", "every check passed")
	return j.signedIn(r.Payload, j.sessionInCookie, nil), nil
}

// orgSync is handleMaybeOrganizationSyncHandshake (C15): the handshake
// that activates the organization the URL names, if the SDK redirects.
func (j *judge) orgSync(auth *Auth) (state, bool) {
	target := j.orgMatcher.findTarget(j.clerkURL)
	if target == nil {
		return state{}, false
	}
	must := false
	if target.kind == "organization" {
		if target.slug != "" && target.slug != auth.GetOrgSlug() {
			must = true
		}
		if target.id != "" && target.id != auth.GetOrgID() {
			must = true
		}
	}
	if target.kind == "personalAccount" && auth.HasOrg() {
		must = true
	}
	j.step(stepOrgSync, "organizationSyncOptions: does the URL name another organization?", fmt.Sprintf("URL wants %s; the token's active org is %s", target.describe(), describeOrg(auth)))
	if !must {
		j.outcome("no change needed")
		return state{}, false
	}
	if j.redirectCount >= orgSyncRedirectCountLimit {
		j.log(logOrgSyncLoop)
		j.outcome("loop guard: organization activation skipped")
		return state{}, false
	}
	s := j.maybeHandshake(ActiveOrganizationMismatch, "", nil)
	if !s.redirected() {
		j.outcome("not a page navigation: the SDK keeps the signed-in state")
		return state{}, false
	}
	return s, true
}

// sessionTokenError is handleSessionTokenError (TOKEN-ERROR).
func (j *judge) sessionTokenError(ctx context.Context, err error, carrier string) state {
	te := asError[*TokenError](err)
	if te == nil {
		j.step(stepFailureKind, "kind of failure", "not a token verification error: "+err.Error())
		j.outcome("signed-out unexpected-error")
		return signedOut(UnexpectedError, "", nil)
	}
	te.Carrier = carrier
	refreshError := ""
	hasRefresh := j.refreshInCookie != ""
	if te.Reason == TokenExpired && hasRefresh && j.method == "GET" {
		j.step(stepRefresh, "server-side refresh (expired token, __refresh_"+j.suffix+" cookie, GET)", "the SDK calls POST /v1/sessions/{sid}/refresh")
		claims, headers, token, code := j.attemptRefresh(ctx)
		if code == "" {
			j.v.TokenCarrier = carrierRefresh
			j.outcome("refreshed: signed-in with the new cookies")
			return j.signedIn(claims, token, headers)
		}
		j.outcome("refresh failed: " + code)
		refreshError = code
	} else if j.method != "GET" {
		refreshError = RefreshNonEligibleNonGet
	} else if !hasRefresh {
		refreshError = RefreshNonEligibleNoCookie
	} else {
		refreshError = "null"
	}
	msg := te.FullMessage()
	switch te.Reason {
	case TokenExpired:
		return j.maybeHandshake(refreshReasonPrefix+refreshError, msg, nil)
	case TokenNotActiveYet:
		return j.maybeHandshake(SessionTokenNBF, msg, nil)
	case TokenIatInTheFuture:
		return j.maybeHandshake(SessionTokenIatInTheFuture, msg, nil)
	}
	return signedOut(te.Reason, msg, nil)
}

// maybeHandshake is handleMaybeHandshakeStatus: a handshake if the SDK can
// redirect the request (the state says whether it did), else signed-out
// with the same reason.
func (j *judge) maybeHandshake(reason, message string, headers *respHeaders) state {
	eligible, why := j.handshakeEligibility()
	j.step(stepEligible, "handshake-eligible (a page navigation the SDK may redirect)?", why)
	if !eligible {
		j.outcome("signed-out instead of a handshake redirect")
		return signedOut(reason, message, nil)
	}
	if headers == nil {
		headers = j.buildRedirectToHandshake(reason)
	}
	if headers.get(HeaderLocation) != "" {
		headers.set(HeaderCacheControl, cacheControlNoStore)
	}
	j.step(stepLoopGuard, "redirect loop guard (__clerk_redirect_count)", CookieRedirectCount+" = "+js.NumberString(j.redirectCount))
	if j.redirectCount == redirectCountLimit {
		j.outcome("3 handshakes in a row: the SDK gives up and answers signed-out")
		if reason == SatelliteCookieNeedsSyncing {
			j.log(logSatelliteLoop)
		} else {
			j.log(logRefreshLoop)
		}
		return signedOut(reason, message, nil)
	}
	headers.append(HeaderSetCookie, CookieRedirectCount+"="+js.NumberString(j.redirectCount+1)+redirectCountAttributes)
	s := handshake(reason, message, headers)
	// The Location as parsed for the state (the URL itself when it does
	// not parse).
	target := s.location
	if s.redirect != nil {
		target = s.redirect.Origin + s.redirect.Pathname
	}
	j.outcome("handshake: redirect to " + target)
	return s
}
