package inspect

import (
	"fmt"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
	"github.com/clerkscope/clerkscope/internal/words"
)

// explainReason is the reading of a verdict's reason: one case per reason
// of reasons.go (the every-reason test holds it to that), each saying what
// the SDK saw and what to check.
func explainReason(v *Verdict, now time.Time, rc redirectCheck) Explanation {
	r := v.Reason
	header := v.TokenCarrier == carrierHeader
	switch {
	case v.Status == Throws:
		return Explanation{
			Summary: "The middleware would crash on its configuration (HTTP 500): " + words.FirstLine(v.Error),
			Why:     strings.TrimSpace("authenticateRequest threw before judging the request. " + throwWhy(v.Error)),
			Next:    []string{"Fix the configuration named in the error; nothing about the user's cookies matters until then."},
		}
	case v.Status == SignedIn && v.Auth != nil && !v.Auth.IsAuthenticated:
		return Explanation{
			Summary: "Signed in, but the session is pending: auth() reports the user as signed out",
			Why:     "The token is valid, but its sts claim is \"pending\": the user still has a session task to complete (for example choosing an organization). By default toAuth() treats pending sessions as signed out, so userId is null in the app.",
			Next:    []string{"Send the user to finish the task (clerk-js shows it after sign-in), or read auth({ treatPendingAsSignedOut: false }) where a pending session is acceptable."},
		}
	case v.Status == SignedIn:
		return explainSignedIn(v, now)
	case machineToken(v) && r != SecretKeyInvalid && r != TokenTypeMismatch && r != NoTokenInHeader:
		t := v.GetTokenType()
		return Explanation{
			Summary: "The " + t + " in the Authorization header was refused",
			Why:     "This route's acceptsToken allows tokens of type " + t + ", and verifying this one failed: it is unknown, expired, revoked, or from another instance." + sdkSays(v),
			Next:    []string{"Send a current " + t + " of the instance the secret key belongs to; the SDK's message names what failed."},
		}
	}
	switch {
	case r == SessionTokenAndUATMissing:
		return Explanation{
			Summary: "Signed out: no session cookie, and __client_uat says no one is signed in",
			Why:     "The request carries no __session cookie and __client_uat is 0 or missing. That is what a browser that is genuinely signed out sends (after sign-out, on a first visit, or after the cookies were cleared). It is not an error.",
			Next: []string{
				"If the user believes they are signed in: check that the cookies are sent to this domain (Domain and Path of __client_uat, a different subdomain, a browser blocking cookies).",
				"On a satellite domain, the first visit stays signed out unless satelliteAutoSync is on or the user comes back from the primary with __clerk_synced=false.",
			},
		}
	case r == SessionTokenMissing:
		return explainHandshakeEmpty(v)
	case r == ClientUATWithoutSessionToken:
		return Explanation{
			Summary: "__client_uat says signed in, but the __session cookie is missing",
			Why:     "The browser holds __client_uat > 0 (a signed-in client) but sent no __session. The session cookie may have expired or been deleted, be scoped to another path or subdomain, or be blocked.",
			Next:    []string{"Compare the Domain and Path of __session and __client_uat in the Set-Cookie history.", "A request from a different subdomain than the one clerk-js runs on will carry __client_uat (set on the parent domain) but not __session (host-only)."},
		}
	case r == SessionTokenWithoutClientUAT:
		return explainNoClientUAT(v)
	case r == SessionTokenIATBeforeClientUAT:
		return explainStale(v, rc)
	case strings.HasPrefix(r, refreshReasonPrefix):
		return explainExpired(v, now, strings.TrimPrefix(r, refreshReasonPrefix), rc)
	case r == SessionTokenNBF || r == SessionTokenIatInTheFuture:
		return explainFuture(v, now)
	case r == DevBrowserMissing:
		e := Explanation{
			Summary: "Development instance: no dev browser token (__clerk_db_jwt)",
			Why:     "Development instances identify the browser with a dev browser token instead of cookies on Clerk's domain. This request carries none.",
			Next:    []string{"If it repeats, the __clerk_db_jwt cookie is not being stored: check localhost ports, a different host name, or cookies blocked."},
		}
		if v.Status == SignedOut && rc.reached && !rc.allowed {
			e.Next = []string{"Only a page navigation can create the dev browser. Load a page of the app first; if pages work but requests like this one say " + DevBrowserMissing + ", they do not carry the __clerk_db_jwt cookie (another host or port than the page, or fetch with credentials: 'omit')."}
		}
		return e
	case r == DevBrowserSync:
		return Explanation{
			Summary: "Development instance: the URL carries __clerk_db_jwt, so the SDK syncs it",
			Why:     "Coming back from the Account Portal, the dev browser token arrives in the URL; a handshake lets the Frontend API store it and returns to a clean URL.",
			Next:    []string{"A loop means the token in the URL keeps coming back: check redirects that preserve query strings."},
		}
	case r == SatelliteCookieNeedsSyncing:
		return Explanation{
			Summary: "Satellite domain: the session must be synced from the primary domain",
			Why:     "This app is a satellite. It has no session cookies yet (or __clerk_synced=false says the user just signed in on the primary), so it redirects to fetch the session.",
			Next:    []string{"Check the satellite options (isSatellite, domain or proxyUrl, signInUrl) and that the primary domain is configured in the Clerk dashboard."},
		}
	case r == PrimaryRespondsToSyncing:
		return Explanation{
			Summary: "Development primary: sending the browser back to the satellite that asked to sync",
			Why:     "The URL carries __clerk_redirect_url from a satellite; the primary redirects back with __clerk_synced=true and the dev browser token.",
			Next:    []string{"A loop means the satellite does not keep what the primary sends back: check the satellite's domain and signInUrl options."},
		}
	case r == PrimaryDomainCrossOriginSync:
		return Explanation{
			Summary: "Signed-in page navigation from another site: the primary re-syncs with a handshake",
			Why:     "The token is valid, but the navigation came from another origin (the Referer is cross-origin) that is not a Clerk domain; the SDK refreshes the session with a handshake in case a satellite changed it.",
			Next:    []string{"A loop means the cookies set by the handshake are not kept."},
		}
	case r == ActiveOrganizationMismatch:
		return Explanation{
			Summary: "The URL names another organization than the token's active one",
			Why:     "organizationSyncOptions matched this path; the SDK redirects so the Frontend API can activate the organization the URL names.",
			Next:    []string{"If it loops, the user is not a member of that organization or the slug/id is wrong (the SDK stops after 3 attempts)."},
		}
	case r == TokenTypeMismatch:
		e := Explanation{
			Summary: "Wrong kind of token: not a session token",
			Why:     "The token is a JWT-template token, a machine (M2M) token or an OAuth token, or its type is not in acceptsToken. Session authentication only accepts session tokens.",
			Next:    []string{"Send the session token (from getToken() without a template), or add the token type to acceptsToken on this route."},
		}
		if v.TokenCarrier == carrierCookie {
			e.Why = "The __session cookie holds a JWT-template token, a machine (M2M) token or an OAuth token instead of a session token. Only Clerk should write __session."
			e.Next = []string{"Find what else writes a __session cookie on this domain (the app storing a template token under that name, another library) and rename it."}
		}
		return e
	case r == UnexpectedError:
		return Explanation{
			Summary: "Signed out: something other than the token failed",
			Why:     "The SDK could not finish verifying (most often: it could not fetch the instance's JWKS from the Backend API because of the network), and answers signed-out with unexpected-error.",
			Next:    []string{"Check the server's network access to api.clerk.com, or set jwtKey (CLERK_JWT_KEY) for networkless verification."},
		}
	case r == NoTokenInHeader:
		return Explanation{
			Summary: "This route accepts only machine tokens, and there is no Authorization header",
			Why:     "acceptsToken names a machine token type, which must come in the Authorization header; cookies are not read.",
			Next:    []string{"Send the token as Authorization: Bearer <token>, or accept session_token on this route."},
		}
	case r == TokenInvalid:
		e := Explanation{
			Summary: "The token is not a well-formed Clerk JWT",
			Why:     "It is not three base64url parts of JSON, has a wrong typ header, or is a machine token where a session token belongs." + sdkSays(v),
			Next:    []string{"Check that the whole token was sent (cookies and copies often cut them), and that nothing else writes a __session cookie on this domain."},
		}
		if header {
			e.Next = []string{"Check that the Authorization header carries the whole token getToken() returned, as \"Bearer <token>\" (copies and logs often cut tokens)."}
		}
		return e
	case r == TokenInvalidAlgorithm:
		e := Explanation{
			Summary: "The token is signed with an algorithm Clerk does not use",
			Why:     "Clerk session tokens are RS256 (RS384/RS512 accepted)." + sdkSays(v),
			Next:    []string{"This token was not minted by Clerk: find what writes it (another auth library using the __session name?)."},
		}
		if header {
			e.Next = []string{"This token was not minted by Clerk: find what sends it in the Authorization header (another auth system's token on a route Clerk guards?)."}
		}
		return e
	case r == TokenInvalidSignature:
		return Explanation{
			Summary: "The signature does not match this instance's key",
			Why:     "The token was signed by another key: another Clerk instance (development vs production, or another app), a rotated key, or a tampered token.",
			Next:    []string{"Compare the token's iss with the publishable key's Frontend API.", "Check that CLERK_JWT_KEY (if set) is this instance's PEM public key."},
		}
	case r == TokenInvalidAuthorizedParties:
		return explainAZP(v)
	case r == TokenInvalidIssuer:
		return Explanation{
			Summary: "The token's iss is not the issuer the app expects",
			Why:     "The app sets the issuer option, and this token was issued by another Frontend API (another instance, or a proxy URL)." + sdkSays(v),
			Next:    []string{"Compare the token's iss with the issuer option and the publishable key's Frontend API."},
		}
	case r == TokenVerificationFailed:
		return Explanation{
			Summary: "The token failed a structural check",
			Why:     "A claim the SDK requires is missing or malformed (sub, aud, exp, nbf, iat), or the key could not check the signature." + sdkSays(v),
			Next:    []string{"A missing sub, a non-numeric exp/nbf/iat or an audience mismatch means the token is not a standard session token; a key import failure means the key does not fit the token's algorithm."},
		}
	case r == SecretKeyInvalid:
		what := "fetching the JWKS"
		if machineToken(v) {
			what = "verifying the " + v.GetTokenType()
		}
		return Explanation{
			Summary: "The Backend API rejected the secret key while " + what,
			Why:     "The Backend API answered 401: the secret key is not a current key of any instance (rolled, mistyped, or cut)." + sdkSays(v),
			Next:    []string{"Use a current secret key of this instance (sk_live_ for production, sk_test_ for development)."},
		}
	case r == JWKRemoteFailedToLoad:
		return Explanation{
			Summary: "The instance's signing keys could not be loaded",
			Why:     "The SDK fetches the JWKS from the Backend API with the secret key, and the answer held no usable key." + sdkSays(v),
			Next:    []string{"Check the secret key and the Backend API URL, or set jwtKey for networkless verification."},
		}
	case r == JWKKidMismatch:
		return Explanation{
			Summary: "The token's kid is not among this instance's keys: it comes from another instance",
			Why:     "The JWKS the secret key fetched has no key with the token's kid." + sdkSays(v),
			Next:    []string{"The secret key and the token belong to different instances (development vs production, or two apps). Compare the token's iss with the publishable key."},
		}
	case r == TokenExpired:
		return Explanation{
			Summary: "The token has expired",
			Why:     "Its exp is earlier than the server's clock, beyond clockSkewInMs (5 s by default). A token sent in a header or as a machine token is not refreshed by the SDK: the caller must send a new one." + sdkSays(v),
			Next:    []string{"Send a fresh token (getToken() right before the request, or a newly minted machine token).", "If the token was minted moments ago, the server's clock is ahead: compare it with NTP time."},
		}
	case r == TokenNotActiveYet || r == TokenIatInTheFuture:
		claim := "nbf"
		if r == TokenIatInTheFuture {
			claim = "iat"
		}
		return Explanation{
			Summary: "The token is not valid yet at the server's clock",
			Why:     "Its " + claim + " is later than the server's clock, beyond clockSkewInMs (5 s by default): the server's clock is behind the clock that minted the token (Clerk's)." + sdkSays(v),
			Next:    []string{"Synchronise the server's clock with NTP; raise clockSkewInMs past the offset only as a stopgap."},
		}
	case r == JWKLocalMissing:
		return Explanation{
			Summary: "No key to verify the token with",
			Why:     "The SDK needs jwtKey (the instance's PEM public key) or a secret key to fetch the JWKS, and the app has neither." + sdkSays(v),
			Next:    []string{"Set CLERK_JWT_KEY (Dashboard → API keys → JWT public key) or CLERK_SECRET_KEY in the app's environment."},
		}
	case r == JWKRemoteInvalid, r == JWKRemoteMissing, r == JWKFailedToResolve:
		return Explanation{
			Summary: "The instance's signing key for this token could not be found",
			Why:     "The JWKS the SDK loaded has no usable key for the token (none at all, or not the token's kid), or the key could not be imported: the keys and the token belong to different instances, or the JWKS is not this instance's." + sdkSays(v),
			Next:    []string{"Check that the secret key (or the JWKS given) and the publishable key come from the same instance as the token's iss."},
		}
	}
	return Explanation{Summary: string(v.Status) + " (" + r + ")", Why: strings.TrimSpace(sdkSays(v))}
}

// explainSignedIn names what was checked for the token the verdict rests
// on; only a cookie token is compared with __client_uat.
func explainSignedIn(v *Verdict, now time.Time) Explanation {
	if machineToken(v) {
		t := v.GetTokenType()
		who := v.Auth.GetSubject()
		if who == "" || who == "null" {
			who = v.Auth.GetID()
		}
		return Explanation{
			Summary: "Authenticated with a machine token (" + t + ") for " + who,
			Why:     "The Authorization header carries a token of type " + t + ", which this route's acceptsToken allows, and it verified.",
		}
	}
	e := Explanation{Summary: "Signed in as " + v.Auth.GetUserID()}
	switch v.TokenCarrier {
	case carrierHeader:
		e.Why = "Every check passed: the token in the Authorization: Bearer header is a valid session token for this instance. When that header is present the SDK reads it and nothing else."
	case carrierHandshake:
		e.Why = "The request came back from a handshake, and the session token it delivered is valid for this instance; the response sets it as the new __session."
	case carrierRefresh:
		e.Why = "The session token had expired, and the server refreshed it with the __refresh cookie: the Backend API returned a new, valid session token, which the response sets as __session."
	default:
		e.Why = "Every check passed: the __session cookie is a valid session token for this instance, within its lifetime, and not older than __client_uat (the client's last change)."
	}
	if exp, ok := v.claimTime("exp"); ok {
		if d := exp.Sub(now); d > 0 {
			e.Why += " The token expires " + ago(d) + " after this request."
		} else {
			e.Why += fmt.Sprintf(" The token expired %s before this request, within the allowed clock skew.", ago(d))
		}
		if v.TokenCarrier == carrierHeader {
			e.Why += " Send a fresh token from getToken() with each request rather than keeping this one."
		}
	}
	if v.Signature != nil && v.Signature.State == SigUnverified {
		e.Next = append(e.Next, "The signature was not checked: give --jwt-key (the instance's PEM public key) or a secret key to be sure the token is genuine.")
	}
	if v.TokenCarrier == carrierCookie && len(v.SetCookies()) > 0 {
		e.Why += " The response sets new Clerk cookies."
	}
	return e
}

// explainHandshakeEmpty is a handshake that delivered no session: either
// Clerk's answer held none, or the server could not exchange the nonce.
func explainHandshakeEmpty(v *Verdict) Explanation {
	for _, c := range v.BAPICalls {
		if !strings.HasSuffix(c.Path, "/handshake_payload") || c.Answered == "200" {
			continue
		}
		e := Explanation{
			Summary: "Signed out: the server could not exchange the handshake nonce for the session",
			Why:     "The browser came back from Clerk's Frontend API with __clerk_handshake_nonce, and the server's Backend API call " + c.Method + " " + c.Path + " answered " + c.Answered + ", so the SDK had no cookies to apply and answers signed-out. This says nothing about whether the user is signed in.",
			Next:    []string{"Check the server's secret key (a 401 means it is not this instance's current key) and its network access to api.clerk.com; the next page load handshakes again."},
		}
		if strings.Contains(strings.Join(v.Assumptions, " "), "nonce exchange") {
			e.Why += " clerkscope does not make this call: without the app's response it assumes the exchange failed (see the assumptions)."
		}
		return e
	}
	return Explanation{
		Summary: "Signed out: the handshake came back without a session",
		Why:     "The browser returned from Clerk's Frontend API with a handshake, and Clerk's answer contained no session token: as far as Clerk knows, this browser's client is signed out.",
		Next:    []string{"Check whether the user signed out elsewhere or the session was revoked (Backend API lookup), and whether the Frontend API received the __client cookie (third-party cookie blocking on the Clerk domain)."},
	}
}

// explainNoClientUAT is a __session without a signed-in __client_uat:
// clerk-js writes the two together, so the pair did not come from one app.
func explainNoClientUAT(v *Verdict) Explanation {
	e := Explanation{
		Summary: "__session is present but __client_uat is missing or 0",
		Why:     "The browser sent a session token but no signed-in __client_uat. clerk-js writes the two together, so they did not come from one signed-in app: most often the __session belongs to another app or instance on this host or parent domain (cookies ignore ports, so apps on localhost:3000 and localhost:3001 share them), or a sign-out (perhaps in another tab) reset __client_uat to 0 and left this __session behind.",
		Next: []string{
			"Clear this site's cookies and sign in again; give each local app its own host name (app1.localhost, app2.localhost) so they stop sharing cookies.",
			"Look for a second __session or __client_uat (suffixed and un-suffixed, or another Domain) in the Cookie header and the Set-Cookie history, and check that __client_uat's Domain covers this host.",
		},
	}
	if v.Token != nil && v.Instance.ProxyURL == "" && v.Instance.FrontendAPI != "" {
		iss := v.Token.ClaimString("iss")
		host := strings.TrimPrefix(strings.TrimPrefix(iss, "https://"), "http://")
		if iss != "" && !strings.EqualFold(strings.TrimRight(host, "/"), v.Instance.FrontendAPI) {
			e.Why += " This token was issued by " + iss + ", not by this instance's Frontend API (" + v.Instance.FrontendAPI + "): it is another app's or instance's cookie."
		}
	}
	return e
}

// explainFuture is a token whose nbf or iat lies ahead of the server's
// clock: the clocks disagree, and no handshake can fix that.
func explainFuture(v *Verdict, now time.Time) Explanation {
	what, claim := "not-before (nbf)", "nbf"
	if v.Reason == SessionTokenIatInTheFuture {
		what, claim = "issued-at (iat)", "iat"
	}
	e := Explanation{
		Summary: "The token's " + what + " is in the future: this server's clock is behind Clerk's",
		Why:     "Clerk's Frontend API minted this token at a time this server's clock has not reached yet, beyond clockSkewInMs (5 s unless the app sets it). The SDK judges with the server's own clock (the \"Current date\" in its message).",
		Next: []string{
			"The clocks of the token's issuer (Clerk) and this server differ by more than clockSkewInMs: check the server's clock and synchronise it (NTP; containers and VMs take the host's clock, a machine resumed from sleep may lag).",
			"Widening clockSkewInMs hides the symptom; fixing the clock is the cure.",
		},
	}
	if t, ok := v.claimTime(claim); ok {
		e.Why += fmt.Sprintf(" %s is %s ahead of the request time.", claim, ago(t.Sub(now)))
	}
	return e
}

// explainAZP tells a token without azp (refused whenever authorizedParties
// is set) from one whose azp is not listed.
func explainAZP(v *Verdict) Explanation {
	if v.Token == nil {
		return Explanation{
			Summary: "The token's azp (the page origin that requested it) is missing or not in authorizedParties",
			Why:     "With authorizedParties set, the SDK accepts a token only if its azp is exactly one of the listed origins; a token without azp is refused." + sdkSays(v),
			Next:    []string{"Decode the token: with an azp, list that exact origin (scheme, host and port, no trailing slash); without one, find the client that minted it without an Origin."},
		}
	}
	azp := v.Token.Claim("azp")
	if !js.Truthy(azp) {
		return Explanation{
			Summary: "The token has no azp claim, and authorizedParties is set: the SDK refuses it",
			Why:     "@clerk/backend 3.25.0 refuses a token without azp whenever authorizedParties is set (if (!azp || !authorizedParties.includes(azp))). The Frontend API leaves azp out when the request that asked for the token carried no Origin header: a native or server-side client, or a script outside a page of the app. No origin is missing from the list; there is no azp to match." + sdkSays(v),
			Next: []string{
				"Find the client that minted this token: tokens from clerk-js on a page of the app (getToken()) carry azp.",
				"Where such clients are expected (a mobile app, a server calling the API), verify their requests on a route without authorizedParties, or give them a machine token (M2M or API key) instead of a session token.",
			},
		}
	}
	origin := js.Stringify(azp)
	e := Explanation{
		Summary: "The token's azp " + origin + " is not in authorizedParties",
		Why:     "azp is the origin of the page that asked Clerk for the token; the SDK accepts the token only if authorizedParties lists exactly that string." + sdkSays(v),
		Next: []string{
			"If " + origin + " is the app, list exactly that origin in authorizedParties: scheme, host and port as the browser shows them, no path, no trailing slash (the SDK compares strings).",
			"If it is not the app's origin, the token was minted for another site: cookies of another app on the same domain, or a token forwarded from elsewhere.",
		},
	}
	if v.TokenCarrier == carrierHeader {
		e.Next[1] = "If it is not the app's origin, the token was minted for another site and forwarded here in the Authorization header."
	}
	return e
}

func throwWhy(err string) string {
	switch {
	case strings.HasPrefix(err, "Publishable key"):
		return "The publishable key is missing or malformed; it must be pk_live_/pk_test_ followed by the base64 of the Frontend API host and a '$'."
	case strings.HasPrefix(err, "Missing Clerk Secret Key"):
		return "The middleware has no secret key (CLERK_SECRET_KEY)."
	case strings.Contains(err, "Handshake token verification failed"):
		return "In development, a handshake token that fails verification is fatal: it was signed by another instance's key (keys switched locally)."
	case strings.Contains(err, "signInUrl"), strings.Contains(err, "domain and proxyUrl"):
		return "The satellite configuration is incomplete."
	}
	return ""
}

func explainStale(v *Verdict, rc redirectCheck) Explanation {
	e := Explanation{
		Summary: "The session token is older than the last change of the client (__client_uat)",
		Why:     "__client_uat records when the browser's Clerk client last changed (sign-in, sign-out, session or organization switch). This token was minted before that change, so it may describe a state that no longer holds.",
		Next:    []string{"If it repeats, clerk-js is not updating __session (script blocked, cookie not writable on this domain), or __client_uat lies in the future."},
	}
	if iat, ok := v.claimTime("iat"); ok {
		e.Why += fmt.Sprintf(" The token was issued at %s.", iat.Format(time.RFC3339))
	}
	if rc.fetch() {
		e.Next = append([]string{"Normal right after signing in or switching sessions in another tab, until clerk-js on the page writes a current __session; await getToken() before API calls right after such a change."}, e.Next...)
	}
	return e
}

func explainExpired(v *Verdict, now time.Time, code string, rc redirectCheck) Explanation {
	header := v.TokenCarrier == carrierHeader
	e := Explanation{
		Summary: "The session token has expired",
		Why:     "Session tokens live about 60 s; clerk-js renews the __session cookie in the background while the tab is open.",
	}
	if header {
		e.Summary = "The token in the Authorization header has expired"
		e.Why = "Session tokens live about 60 s. This one came in the Authorization: Bearer header, so only the client that sent it can renew it: getToken() returns a fresh token whenever the cached one nears expiry."
	}
	if exp, ok := v.claimTime("exp"); ok {
		e.Summary = strings.TrimSuffix(e.Summary, " has expired") + " expired " + ago(now.Sub(exp)) + " before this request"
	}
	switch code {
	case RefreshNonEligibleNoCookie:
		if !header {
			e.Why += " There is no __refresh cookie, so no server-side refresh was possible (the usual case)."
		}
	case RefreshNonEligibleNonGet:
		e.Why += " The SDK refreshes a token on the server only for GET requests."
	case RefreshFetchError:
		e.Why += " A server-side refresh was attempted, and the Backend API could not be reached."
		e.Next = append(e.Next, "Check the server's network access to the Backend API.")
	case RefreshInvalidSessionToken:
		e.Why += " A server-side refresh returned a session token that did not verify."
	case RefreshUnexpectedSDKError:
		e.Why += " A server-side refresh returned no new session token."
	case RefreshUnexpectedBAPIError:
		e.Why += " A server-side refresh failed: the Backend API answered without an error code."
		e.Next = append(e.Next, "Check the server's access to the Backend API and Clerk's status.")
	case RefreshMissingAPIClient, RefreshMissingSessionToken, RefreshMissingRefreshToken, RefreshExpiredTokenDecodeFailed, RefreshExpiredTokenMissingSID:
		e.Why += " The SDK could not even ask for a server-side refresh (" + code + "): it needs a secret key, the expired token with its sid claim, and the refresh token."
	default:
		e.Why += " A server-side refresh failed with " + code + "."
		e.Next = append(e.Next, "The Backend API refused the refresh ("+code+"): the refresh token is invalid or the session ended.")
	}
	switch {
	case header:
		e.Next = append([]string{"Call getToken() right before each request and send what it returns; do not keep a token (it expires within a minute)."}, e.Next...)
	case looped(v):
	case v.Status == Handshake:
		if code == RefreshNonEligibleNoCookie && rc.count < 1 {
			e.Next = append(e.Next, "If pages are fine but API calls fail, the frontend should send a fresh token (getToken()) or retry after clerk-js renews the cookie.")
		}
	case rc.method == "OPTIONS":
		e.Next = append([]string{"OPTIONS is a CORS preflight, which browsers send without a fresh token: answer preflights before the Clerk middleware runs, or make OPTIONS public on this route."}, e.Next...)
	case rc.method != "":
		e.Next = append([]string{"A form POST or API call with a stale __session: await getToken() before submitting (it renews the cookie), or send the token in the Authorization header; clerk-js renews the cookie only while the tab is active."}, e.Next...)
	default:
		e.Next = append([]string{"An API call with an expired __session: clerk-js renews the cookie about every minute while the tab is active, so a call made right after the tab wakes up races it. Await getToken() before the call (it renews the cookie), or retry once after a 401; the next page load handshakes."}, e.Next...)
	}
	return e
}
