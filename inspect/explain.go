package inspect

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Explanation is the plain-English reading of a verdict.
type Explanation struct {
	Summary string   `json:"summary"`
	Why     string   `json:"why"`
	Next    []string `json:"next"`
}

// Explain turns a verdict into what a support engineer reads: one line,
// why, and what to check next. now is the request's time.
func Explain(v *Verdict, now time.Time) Explanation {
	e := explainReason(v, now)
	if v.Status == Handshake {
		e.Next = append([]string{"This is normal when it happens once: the browser is sent to Clerk's Frontend API and comes back with fresh cookies. Look at the next request to this URL: it should be signed in (or signed out with a clear reason)."}, e.Next...)
	}
	if v.Status == SignedOut && isHandshakeReason(v.Reason) && v.Status != Handshake {
		if strings.Contains(strings.Join(v.Logs, " "), "infinite redirect loop") {
			e.Next = append(e.Next, "__clerk_redirect_count reached 3: three handshakes in a row did not fix the session, so the SDK stopped redirecting. The usual cause is a publishable key and secret key from different instances, or cookies that the browser refuses to store (third-party or SameSite rules, a wrong Domain).")
		} else if v.Reason != SessionTokenAndUATMissing {
			e.Next = append(e.Next, "The SDK would have redirected to refresh the session, but this request cannot be redirected (not a GET page navigation): API calls and fetches answer signed-out until the next page load refreshes the cookies. clerk-js normally refreshes the token in the background before that happens.")
		}
	}
	return e
}

func isHandshakeReason(r string) bool {
	switch r {
	case SessionTokenWithoutClientUAT, ClientUATWithoutSessionToken, SessionTokenIATBeforeClientUAT,
		SessionTokenNBF, SessionTokenIatInTheFuture, DevBrowserMissing, DevBrowserSync,
		SatelliteCookieNeedsSyncing, PrimaryRespondsToSyncing, PrimaryDomainCrossOriginSync:
		return true
	}
	return strings.HasPrefix(r, refreshReasonPrefix)
}

// Ago writes a duration the way explanations do: "42 s", "9 min 0 s",
// "3 h 5 min", "327 days".
func Ago(d time.Duration) string { return ago(d) }

func ago(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%d days", int(math.Round(d.Hours()/24)))
	}
}

func (v *Verdict) claimTime(name string) (time.Time, bool) {
	if v.Token == nil {
		return time.Time{}, false
	}
	return v.Token.ClaimTime(name)
}

func explainReason(v *Verdict, now time.Time) Explanation {
	r := v.Reason
	switch {
	case v.Status == Throws:
		return Explanation{
			Summary: "The middleware would crash on its configuration (HTTP 500): " + firstLine(v.Error),
			Why:     "authenticateRequest threw before judging the request. " + throwWhy(v.Error),
			Next:    []string{"Fix the configuration named in the error; nothing about the user's cookies matters until then."},
		}
	case v.Status == SignedIn && v.Auth != nil && !v.Auth.IsAuthenticated:
		return Explanation{
			Summary: "Signed in, but the session is pending: auth() reports the user as signed out",
			Why:     "The token is valid, but its sts claim is \"pending\": the user still has a session task to complete (for example choosing an organization). By default toAuth() treats pending sessions as signed out, so userId is null in the app.",
			Next:    []string{"Send the user to finish the task (clerk-js shows it after sign-in), or read auth({ treatPendingAsSignedOut: false }) where a pending session is acceptable."},
		}
	case v.Status == SignedIn:
		who := jsToStringValue(v.Auth.UserID)
		e := Explanation{Summary: "Signed in as " + who, Why: "Every check passed: the session token is valid for this instance, fresh enough, and matches __client_uat."}
		if exp, ok := v.claimTime("exp"); ok {
			if d := exp.Sub(now); d > 0 {
				e.Why += fmt.Sprintf(" The token expires %s after this request.", ago(d))
			} else {
				e.Why += fmt.Sprintf(" The token expired %s before this request, within the allowed clock skew.", ago(d))
			}
		}
		if v.Signature != nil && v.Signature.State == SigUnverified {
			e.Next = append(e.Next, "The signature was not checked: give --jwt-key (the instance's PEM public key) or a secret key to be sure the token is genuine.")
		}
		if len(v.SetCookies()) > 0 {
			e.Why += " The response sets new Clerk cookies (a handshake or a server-side refresh delivered them)."
		}
		return e
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
		return Explanation{
			Summary: "Signed out: the handshake came back without a session",
			Why:     "The browser returned from Clerk's Frontend API with a handshake, and Clerk's answer contained no session token: as far as Clerk knows, this browser's client is signed out.",
			Next:    []string{"Check whether the user signed out elsewhere or the session was revoked (Backend API lookup), and whether the Frontend API received the __client cookie (third-party cookie blocking on the Clerk domain)."},
		}
	case r == ClientUATWithoutSessionToken:
		return Explanation{
			Summary: "__client_uat says signed in, but the __session cookie is missing",
			Why:     "The browser holds __client_uat > 0 (a signed-in client) but sent no __session. The session cookie may have expired or been deleted, be scoped to another path or subdomain, or be blocked; a handshake fetches a new one.",
			Next:    []string{"Compare the Domain and Path of __session and __client_uat in the Set-Cookie history.", "A request from a different subdomain than the one clerk-js runs on will carry __client_uat (set on the parent domain) but not __session (host-only)."},
		}
	case r == SessionTokenWithoutClientUAT:
		return Explanation{
			Summary: "__session is present but __client_uat is missing or 0",
			Why:     "The browser sent a session token but no signed-in __client_uat. Either the user signed out in another tab (which sets __client_uat=0), or __client_uat was not sent (SameSite=Strict hides it on the first cross-site navigation in development).",
			Next:    []string{"Check for a sign-out shortly before this request.", "Check that __client_uat's Domain covers this host."},
		}
	case r == SessionTokenIATBeforeClientUAT:
		return explainStale(v)
	case strings.HasPrefix(r, refreshReasonPrefix):
		return explainExpired(v, now, strings.TrimPrefix(r, refreshReasonPrefix))
	case r == SessionTokenNBF || r == SessionTokenIatInTheFuture:
		what := "not-before (nbf)"
		claim := "nbf"
		if r == SessionTokenIatInTheFuture {
			what, claim = "issued-at (iat)", "iat"
		}
		e := Explanation{
			Summary: "The token's " + what + " is in the future: the server clock is behind Clerk's",
			Why:     "Clerk minted this token at a time the server has not reached yet, beyond the allowed clock skew (5 s by default).",
			Next:    []string{"Synchronise the server clock (NTP).", "clockSkewInMs can widen the tolerance, but fixing the clock is the real cure."},
		}
		if t, ok := v.claimTime(claim); ok {
			e.Why += fmt.Sprintf(" %s is %s ahead of the request time.", claim, ago(t.Sub(now)))
		}
		return e
	case r == DevBrowserMissing:
		return Explanation{
			Summary: "Development instance: no dev browser token (__clerk_db_jwt)",
			Why:     "Development instances identify the browser with a dev browser token instead of cookies on Clerk's domain. This request has none, so the SDK redirects to the Frontend API to create one (a page navigation) or answers signed-out (fetches).",
			Next:    []string{"Normal on the very first visit. If it repeats, the __clerk_db_jwt cookie is not being stored (check localhost ports, a different host name, or cookies blocked)."},
		}
	case r == DevBrowserSync:
		return Explanation{
			Summary: "Development instance: the URL carries __clerk_db_jwt, so the SDK syncs it",
			Why:     "Coming back from the Account Portal, the dev browser token arrives in the URL; a handshake lets the Frontend API store it and returns to a clean URL.",
			Next:    []string{"Normal once. A loop means the token in the URL keeps coming back: check redirects that preserve query strings."},
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
			Next:    []string{"Normal during satellite sign-in in development."},
		}
	case r == PrimaryDomainCrossOriginSync:
		return Explanation{
			Summary: "Signed-in page navigation from another site: the primary re-syncs with a handshake",
			Why:     "The token is valid, but the navigation came from another origin (Referer " + "is cross-origin) that is not a Clerk domain; the SDK refreshes the session with a handshake in case a satellite changed it.",
			Next:    []string{"Normal once per cross-site navigation. A loop means cookies set by the handshake are not kept."},
		}
	case r == ActiveOrganizationMismatch:
		return Explanation{
			Summary: "The URL names another organization than the token's active one",
			Why:     "organizationSyncOptions matched this path; the SDK redirects so the Frontend API can activate the organization the URL names.",
			Next:    []string{"If it loops, the user is not a member of that organization or the slug/id is wrong (the SDK stops after 3 attempts)."},
		}
	case r == TokenTypeMismatch:
		return Explanation{
			Summary: "Wrong kind of token: not a session token",
			Why:     "The token is a JWT-template token, a machine (M2M) token or an OAuth token, or its type is not in acceptsToken. Session authentication only accepts session tokens.",
			Next:    []string{"Send the session token (from getToken() without a template), or add the token type to acceptsToken on this route."},
		}
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
		return Explanation{
			Summary: "The token is not a well-formed Clerk JWT",
			Why:     "It is not three base64url parts of JSON, has a wrong typ header, or is a machine token where a session token belongs. " + v.Message,
			Next:    []string{"Check that the whole token was sent (cookies and copies often cut them), and that nothing else writes a __session cookie on this domain."},
		}
	case r == TokenInvalidAlgorithm:
		return Explanation{
			Summary: "The token is signed with an algorithm Clerk does not use",
			Why:     "Clerk session tokens are RS256 (RS384/RS512 accepted). " + v.Message,
			Next:    []string{"This token was not minted by Clerk: find what writes it (another auth library using the __session name?)."},
		}
	case r == TokenInvalidSignature:
		return Explanation{
			Summary: "The signature does not match this instance's key",
			Why:     "The token was signed by another key: another Clerk instance (development vs production, or another app), a rotated key, or a tampered token.",
			Next:    []string{"Compare the token's iss with the publishable key's Frontend API.", "Check that CLERK_JWT_KEY (if set) is this instance's PEM public key."},
		}
	case r == TokenInvalidAuthorizedParties:
		return Explanation{
			Summary: "The token's azp (the page origin that requested it) is not in authorizedParties",
			Why:     v.Message,
			Next:    []string{"Add the origin to authorizedParties exactly (scheme, host and port, no trailing slash), or find out why the token was minted on another origin."},
		}
	case r == TokenVerificationFailed:
		return Explanation{
			Summary: "The token failed a structural check",
			Why:     v.Message,
			Next:    []string{"A missing sub, a non-numeric exp/nbf/iat or an audience mismatch means the token is not a standard session token; a key import failure means the key does not fit the token's algorithm."},
		}
	case r == SecretKeyInvalid:
		return Explanation{
			Summary: "The Backend API rejected the secret key while fetching the JWKS",
			Why:     v.Message,
			Next:    []string{"Use a current secret key of this instance (sk_live_ for production, sk_test_ for development)."},
		}
	case r == JWKRemoteFailedToLoad:
		return Explanation{
			Summary: "The instance's signing keys could not be loaded",
			Why:     v.Message,
			Next:    []string{"Check the secret key and the Backend API URL, or set jwtKey for networkless verification."},
		}
	case r == JWKKidMismatch:
		return Explanation{
			Summary: "The token's kid is not among this instance's keys: it comes from another instance",
			Why:     v.Message,
			Next:    []string{"The secret key and the token belong to different instances (development vs production, or two apps). Compare the token's iss with the publishable key."},
		}
	}
	return Explanation{Summary: v.Status + " (" + r + ")", Why: v.Message}
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

func explainStale(v *Verdict) Explanation {
	e := Explanation{
		Summary: "The session token is older than the last change of the client (__client_uat)",
		Why:     "__client_uat records when the browser's Clerk client last changed (sign-in, sign-out, session or organization switch). This token was minted before that change, so it may describe a state that no longer holds.",
		Next:    []string{"Normal right after signing in or switching sessions in another tab; the handshake fetches a current token. If it repeats, clerk-js is not refreshing __session (blocked script, cookie not writable)."},
	}
	if iat, ok := v.claimTime("iat"); ok {
		e.Why += fmt.Sprintf(" The token was issued at %s.", iat.Format(time.RFC3339))
	}
	return e
}

func explainExpired(v *Verdict, now time.Time, code string) Explanation {
	e := Explanation{
		Summary: "The session token has expired",
		Why:     "Session tokens live about 60 s; clerk-js refreshes them in the background while the tab is open.",
	}
	if exp, ok := v.claimTime("exp"); ok {
		e.Summary = fmt.Sprintf("The session token expired %s before this request", ago(now.Sub(exp)))
	}
	switch code {
	case RefreshNonEligibleNoCookie:
		e.Why += " There is no __refresh cookie, so no server-side refresh was possible (the usual case)."
		e.Next = append(e.Next, "Typical after the tab was closed or asleep: the next page navigation handshakes and gets a fresh token.", "If pages are fine but API calls fail, the frontend should send a fresh token (getToken()) or retry after clerk-js refreshes.")
	case RefreshNonEligibleNonGet:
		e.Why += " The request is not a GET, so the SDK neither refreshes nor redirects: it answers signed-out."
		e.Next = append(e.Next, "A form POST or API call with a stale token: refresh the token before submitting (clerk-js does it in the background while the tab is active).")
	case RefreshFetchError:
		e.Why += " A server-side refresh was attempted (there is a __refresh cookie) and the Backend API could not be reached."
		e.Next = append(e.Next, "Check the server's network access to the Backend API.")
	case RefreshInvalidSessionToken:
		e.Why += " A server-side refresh returned a session token that did not verify."
	case RefreshUnexpectedSDKError:
		e.Why += " A server-side refresh returned no cookies."
	default:
		e.Why += " A server-side refresh failed with " + code + "."
		e.Next = append(e.Next, "The Backend API refused the refresh ("+code+"): the refresh token is invalid or the session ended.")
	}
	return e
}
