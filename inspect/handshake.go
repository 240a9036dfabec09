package inspect

import (
	"errors"
	"fmt"
	"strings"

	"clerkscope/inspect/internal/js"
)

// isEligibleForHandshake is §6.1's "doc request".
func (j *judge) isEligibleForHandshake() bool {
	if j.method != "GET" {
		return false
	}
	if j.secFetchDest == "document" || j.secFetchDest == "iframe" {
		return true
	}
	return j.secFetchDest == "" && strings.HasPrefix(j.accept, "text/html")
}

func (j *judge) eligibilityText() string {
	switch {
	case j.method != "GET":
		return "no: the method is " + j.method + " (handshakes only redirect GET requests)"
	case j.secFetchDest == "document" || j.secFetchDest == "iframe":
		return "yes: GET with Sec-Fetch-Dest: " + j.secFetchDest
	case j.secFetchDest == "" && strings.HasPrefix(j.accept, "text/html"):
		return "yes: GET without Sec-Fetch-Dest and Accept: text/html"
	case j.secFetchDest != "":
		return "no: Sec-Fetch-Dest is " + j.secFetchDest + ", not a page navigation"
	default:
		return "no: no Sec-Fetch-Dest and Accept does not start with text/html"
	}
}

// buildRedirectToHandshake is §6.5.
func (j *judge) buildRedirectToHandshake(reason string) *respHeaders {
	redirect := j.clerkURL.Clone()
	redirect.Delete("__clerk_db_jwt")
	redirect.Delete("__dev_session")
	base := j.frontendAPI
	if base == "" {
		base = "https://frontend-api.invalid"
	}
	if !strings.HasPrefix(base, "http") {
		base = "https://" + base
	}
	base = strings.TrimRight(base, "/") + "/"
	u, err := js.ParseURL(base + "v1/client/handshake")
	if err != nil {
		u = js.URLFromParts("https", base, "/v1/client/handshake")
	}
	u.Append("redirect_url", redirect.Href())
	u.Append("__clerk_api_version", "2026-05-12")
	u.Append("suffixed_cookies", fmt.Sprint(j.usesSuffixed()))
	u.Append("__clerk_hs_reason", reason)
	u.Append("format", "nonce")
	if t := j.sessionToken(); t != "" {
		u.Append("__session", t)
	}
	if j.instance == Development && j.devBrowserToken != "" {
		u.Append("__clerk_db_jwt", j.devBrowserToken)
	}
	if t := j.orgMatcher.findTarget(j.clerkURL); t != nil {
		u.Append("organization_id", t.param())
	}
	h := &respHeaders{}
	h.set("location", u.Href())
	return h
}

// resolveHandshake is HandshakeService.resolveHandshake. done reports
// whether a verdict was reached; err is the failure the caller handles.
func (j *judge) resolveHandshake() (bool, error) {
	headers := &respHeaders{}
	headers.set("access-control-allow-origin", "null")
	headers.set("access-control-allow-credentials", "true")
	var directives []string
	if j.handshakeNonce != "" {
		call := BAPICall{Method: "GET", Path: "/v1/clients/handshake_payload", Query: "nonce=" + j.handshakeNonce, Changes: true}
		d, err := j.backend().HandshakePayload(j.ctx, j.handshakeNonce)
		call.Answered = answeredText(err)
		j.v.BAPICalls = append(j.v.BAPICalls, call)
		if err != nil {
			j.log("error: Clerk: HandshakeService: error getting handshake payload: ClerkAPIResponseError: ")
			if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotCalled) {
				j.assume("the handshake nonce exchange failed like an unreachable network (clerkscope never calls it; give canned answers in the config's \"api\" or a capture with the response)")
			}
		} else {
			directives = d
		}
	} else {
		d, err := j.verifyHandshakeToken(j.handshakeToken)
		if err != nil {
			return false, err
		}
		directives = d
	}
	sessionToken := ""
	for _, d := range directives {
		headers.append("set-cookie", d)
		if strings.HasPrefix(directiveName(d), "__session") {
			if v, ok := directiveValue(d); ok {
				sessionToken = v
			} else {
				sessionToken = ""
			}
		}
	}
	j.v.TokenCarrier = "handshake"
	if j.instance == Development {
		clean := j.clerkURL.Clone()
		clean.Delete("__clerk_handshake")
		clean.Delete("__clerk_help")
		clean.Delete("__clerk_db_jwt")
		clean.Delete("__clerk_handshake_nonce")
		headers.append("location", clean.Href())
		headers.set("cache-control", "no-store")
	}
	j.step("7", "handshake directives", fmt.Sprintf("%d Set-Cookie directive(s); new session token: %s", len(directives), yesNo(sessionToken != "", "yes", "none")))
	if sessionToken == "" {
		j.outcome("signed-out: the handshake delivered no session")
		j.v.TokenCarrier = ""
		j.v.Token = nil
		j.signedOut(SessionTokenMissing, "", headers)
		return true, nil
	}
	if tok, err := j.decode(sessionToken); err == nil {
		j.v.Token = tok
	}
	r := j.verify(sessionToken)
	if r.Err == nil {
		j.outcome("signed-in with the session token the handshake delivered")
		j.signedIn(r.Payload, sessionToken, headers)
		return true, nil
	}
	var te *TokenError
	if j.instance == Development && errors.As(r.Err, &te) && (te.Reason == TokenExpired || te.Reason == TokenNotActiveYet || te.Reason == TokenIatInTheFuture) {
		te.Carrier = "cookie"
		j.log("error: Clerk: Clock skew detected. This usually means that your system clock is inaccurate. Clerk will attempt to account for the clock skew in development.\n\nTo resolve this issue, make sure your system's clock is set to the correct time (e.g. turn off and on automatic time synchronization).\n\n---\n\n" + te.FullMessage())
		p := j.verifyParams()
		p.clockSkewMs = devClockSkewRetryMs
		rr := verifyToken(j.ctx, sessionToken, p)
		if rr.Err == nil {
			j.outcome("signed-in after the development clock-skew retry (24 h)")
			j.signedIn(rr.Payload, sessionToken, headers)
			return true, nil
		}
		msg := "Clerk: Handshake retry failed."
		if rr.Err.Error() != "" {
			msg = rr.Err.Error()
		}
		return false, errors.New(msg)
	}
	msg := "Clerk: Handshake failed."
	if r.Err.Error() != "" {
		msg = r.Err.Error()
	}
	return false, errors.New(msg)
}

// verifyHandshakeToken is verifyHandshakeToken + verifyHandshakeJwt.
func (j *judge) verifyHandshakeToken(token string) ([]string, error) {
	tok, err := j.decode(token)
	if err != nil {
		return nil, err
	}
	kid := js.Template(js.Field(tok.Header, "kid"))
	if j.keys == nil && !j.assumeValidSig {
		return nil, &TokenError{Reason: JWKFailedToResolve, Action: ActionSetJWTKey, Message: "Failed to resolve JWK during handshake verification."}
	}
	var key *Key
	if j.keys != nil {
		key, err = j.keys.KeyFor(j.ctx, kid)
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
			Message: fmt.Sprintf("Invalid JWT algorithm %s. Supported: RS256,RS384,RS512.", js.Stringify(js.Field(tok.Header, "alg")))}
	}
	if isNonSessionCategory(js.Field(tok.Header, "cat")) {
		return nil, &TokenError{Reason: TokenInvalid, Action: ActionEnsureClerkJWT, Message: "Invalid handshake token category."}
	}
	if key != nil {
		if key.Alg != "" && key.Alg != alg {
			return nil, &TokenError{Reason: TokenVerificationFailed, Message: `Error verifying handshake token. Error: JWK "alg" does not match the requested algorithm`}
		}
		if !checkSignature(tok, key, alg) {
			j.step("C1", "handshake token signature", "invalid: does not match "+key.Source)
			return nil, &TokenError{Reason: TokenInvalidSignature, Message: "Handshake signature is invalid."}
		}
		j.step("C1", "handshake token signature", "valid ("+key.Source+")")
	} else {
		j.assume("the handshake token's signature is valid (no key was given to check it)")
	}
	hs := js.Field(tok.Payload, "handshake")
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
