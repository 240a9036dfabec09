package inspect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
	"github.com/clerkscope/clerkscope/internal/words"
)

// handshakeEligibility is HandshakeService.isRequestEligibleForHandshake,
// §6.1's "doc request": a GET page navigation. why says which of its
// conditions decided, in the words of the evidence ("yes: …" or "no: …").
func (j *judge) handshakeEligibility() (eligible bool, why string) {
	switch {
	case j.method != "GET":
		return false, "no: the method is " + j.method + " (handshakes only redirect GET requests)"
	case j.secFetchDest == secFetchDestDocument || j.secFetchDest == secFetchDestIframe:
		return true, "yes: GET with Sec-Fetch-Dest: " + j.secFetchDest
	case j.secFetchDest != "":
		return false, "no: Sec-Fetch-Dest is " + j.secFetchDest + ", not a page navigation"
	case strings.HasPrefix(j.accept, acceptHTML):
		return true, "yes: GET without Sec-Fetch-Dest and Accept: text/html"
	}
	return false, "no: no Sec-Fetch-Dest and Accept does not start with text/html"
}

// buildRedirectToHandshake is §6.5.
func (j *judge) buildRedirectToHandshake(reason string) *respHeaders {
	redirect := j.clerkURL.Clone()
	redirect.Delete(QueryDevBrowser)
	redirect.Delete(QueryLegacyDevBrowser)
	base := j.frontendAPI
	if base == "" {
		base = "https://frontend-api.invalid"
	}
	if !strings.HasPrefix(base, "http") {
		base = "https://" + base
	}
	base = strings.TrimRight(base, "/") + "/"
	u, err := js.ParseURL(base + pathFrontendAPIHandshake)
	if err != nil {
		u = js.URLFromParts("https", base, "/"+pathFrontendAPIHandshake)
	}
	u.Append(QueryRedirectURL, redirect.Href())
	u.Append(QueryAPIVersion, APIVersion)
	u.Append(QuerySuffixedCookies, fmt.Sprint(j.usesSuffixed()))
	u.Append(QueryHandshakeReason, reason)
	u.Append(QueryHandshakeFormat, handshakeFormat)
	if t := j.sessionToken(); t != "" {
		u.Append(QuerySession, t)
	}
	if j.instance == Development && j.devBrowserToken != "" {
		u.Append(QueryDevBrowser, j.devBrowserToken)
	}
	if t := j.orgMatcher.findTarget(j.clerkURL); t != nil {
		u.Append(QueryOrganizationID, t.param())
	}
	h := &respHeaders{}
	h.set(HeaderLocation, u.Href())
	return h
}

// resolveHandshake is HandshakeService.resolveHandshake: the state the
// handshake's directives lead to, or the failure the caller handles.
func (j *judge) resolveHandshake(ctx context.Context) (state, error) {
	headers := &respHeaders{}
	headers.set(HeaderAllowOrigin, allowOriginHandshake)
	headers.set(HeaderAllowCredentials, allowCredentialsHandshake)
	var directives []string
	if j.handshakeNonce != "" {
		call := BAPICall{Method: "GET", Path: pathHandshakePayload, Query: "nonce=" + j.handshakeNonce, Changes: true}
		d, err := j.backend().HandshakePayload(ctx, j.handshakeNonce)
		call.Answered = answeredText(err)
		j.v.BAPICalls = append(j.v.BAPICalls, call)
		if err != nil {
			j.log(logHandshakePayload)
			if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotCalled) {
				j.assume("the handshake nonce exchange failed like an unreachable network (clerkscope never calls it; give canned answers in the config's \"api\" or a capture with the response)")
			}
		} else {
			directives = d
		}
	} else {
		d, err := j.verifyHandshakeToken(ctx, j.handshakeToken)
		if err != nil {
			return state{}, err
		}
		directives = d
	}
	sessionToken := ""
	for _, d := range directives {
		headers.append(HeaderSetCookie, d)
		if strings.HasPrefix(directiveName(d), CookieSession) {
			if v, ok := directiveValue(d); ok {
				sessionToken = v
			} else {
				sessionToken = ""
			}
		}
	}
	j.v.TokenCarrier = carrierHandshake
	if j.instance == Development {
		clean := j.clerkURL.Clone()
		clean.Delete(QueryHandshake)
		clean.Delete(QueryHandshakeHelp)
		clean.Delete(QueryDevBrowser)
		clean.Delete(QueryHandshakeNonce)
		headers.append(HeaderLocation, clean.Href())
		headers.set(HeaderCacheControl, cacheControlNoStore)
	}
	j.step(stepHandshakeDirectives, "handshake directives", fmt.Sprintf("%d Set-Cookie directive(s); new session token: %s", len(directives), words.If(sessionToken != "", "yes", "none")))
	if sessionToken == "" {
		j.outcome("signed-out: the handshake delivered no session")
		j.v.TokenCarrier = ""
		j.v.Token = nil
		return signedOut(SessionTokenMissing, "", headers), nil
	}
	if tok, err := j.decode(sessionToken); err == nil {
		j.v.Token = tok
	}
	r := j.verify(ctx, sessionToken)
	if r.Err == nil {
		j.outcome("signed-in with the session token the handshake delivered")
		return j.signedIn(r.Payload, sessionToken, headers), nil
	}
	var te *TokenError
	if j.instance == Development && errors.As(r.Err, &te) && (te.Reason == TokenExpired || te.Reason == TokenNotActiveYet || te.Reason == TokenIatInTheFuture) {
		te.Carrier = carrierCookie
		j.log(logClockSkew + te.FullMessage())
		p := j.verifyParams()
		p.clockSkewMs = devClockSkewRetryMs
		rr := verifyToken(ctx, sessionToken, p)
		if rr.Err == nil {
			j.outcome("signed-in after the development clock-skew retry (24 h)")
			return j.signedIn(rr.Payload, sessionToken, headers), nil
		}
		msg := errTextHandshakeRetry
		if rr.Err.Error() != "" {
			msg = rr.Err.Error()
		}
		return state{}, errors.New(msg)
	}
	msg := errTextHandshake
	if r.Err.Error() != "" {
		msg = r.Err.Error()
	}
	return state{}, errors.New(msg)
}

// verifyHandshakeToken is verifyHandshakeToken + verifyHandshakeJwt.
func (j *judge) verifyHandshakeToken(ctx context.Context, token string) ([]string, error) {
	tok, err := j.decode(token)
	if err != nil {
		return nil, err
	}
	kid := js.Template(js.Field(tok.Header, "kid"))
	if j.keys == nil && !j.assumeValidSig {
		return nil, &TokenError{Reason: JWKFailedToResolve, Action: ActionSetJWTKey, Message: msgJWKFailedToResolveHandshake}
	}
	var key *Key
	if j.keys != nil {
		key, err = j.keys.KeyFor(ctx, kid)
		if err != nil {
			return nil, err
		}
	}
	if err := assertHeaderType(js.Field(tok.Header, "typ"), nil); err != nil {
		return nil, err
	}
	alg, _ := js.AsString(js.Field(tok.Header, "alg"))
	if _, ok := algHash(alg); !ok {
		return nil, &TokenError{Reason: TokenInvalidAlgorithm, Action: ActionEnsureClerkJWT,
			Message: fmt.Sprintf(msgInvalidAlgorithm, js.Stringify(js.Field(tok.Header, "alg")))}
	}
	if isNonSessionCategory(js.Field(tok.Header, "cat")) {
		return nil, &TokenError{Reason: TokenInvalid, Action: ActionEnsureClerkJWT, Message: msgHandshakeCategory}
	}
	if key != nil {
		if key.Alg != "" && key.Alg != alg {
			return nil, &TokenError{Reason: TokenVerificationFailed, Message: msgHandshakeKeyAlg}
		}
		if !checkSignatureMemo(tok, key, alg) {
			j.step(stepHandshakeSignature, "handshake token signature", "invalid: does not match "+key.Source)
			return nil, &TokenError{Reason: TokenInvalidSignature, Message: msgHandshakeSignature}
		}
		j.step(stepHandshakeSignature, "handshake token signature", "valid ("+key.Source+")")
	} else {
		j.assume("the handshake token's signature is valid (no key was given to check it)")
	}
	hs := js.Field(tok.Payload, claimHandshake)
	arr, ok := hs.([]any)
	if !ok {
		return nil, nil
	}
	var out []string
	for _, d := range arr {
		out = append(out, js.ToString(d))
	}
	return out, nil
}
