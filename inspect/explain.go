package inspect

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// Explanation is the plain-English reading of a verdict.
type Explanation struct {
	Summary string   `json:"summary"`
	Why     string   `json:"why"`
	Next    []string `json:"next"`
}

// Explain turns a verdict into what a support engineer reads: one line,
// why, and what to check next. now is the request's time. The text fits the
// request: where its token came from (a cookie, the Authorization header, a
// handshake or a refresh), whether the SDK could redirect it (the evidence
// of steps MH1 and MH3), and whether a handshake is the normal cure for its reason.
// Where the SDK wrote a message, Why quotes it unchanged after clerkscope's
// reading of it.
func Explain(v *Verdict, now time.Time) Explanation {
	rc := readRedirectCheck(v)
	e := explainReason(v, now, rc)
	switch {
	case v.Status == Handshake && rc.count >= 1:
		e.Next = append(repeatedHandshake(v, rc.count), e.Next...)
	case v.Status == Handshake:
		e.Next = append(handshakeNext(v, now), e.Next...)
	case v.Status == SignedOut && isHandshakeReason(v.Reason):
		why, next := noHandshake(v, rc)
		e.Why = strings.TrimSpace(e.Why + " " + why)
		e.Next = append(next, e.Next...)
	}
	return e
}

// onceNormal opens the advice for reasons where one handshake is the
// expected cure; reasons whose evidence says otherwise never get it.
const onceNormal = "This is normal when it happens once: "

// clockAheadHint is the guess at a clock ahead that an expired token's
// explanation offers; WithServerClock drops it once the clock is measured.
const clockAheadHint = "If every page load handshakes although the token was issued moments before, the server's clock is ahead of Clerk's: compare its Date header with the real time."

// staleToken is how long after its expiry a token is more than a tab that
// slept: longer than a Clerk session lasts by default (7 days).
const staleToken = 7 * 24 * time.Hour

// redirectCheck is the engine's steps MH1 and MH3 (§6.1's MAYBE-HANDSHAKE)
// read back from the evidence:
// whether the request reached the handshake decision and, when the SDK
// could not redirect it, what ruled the redirect out.
type redirectCheck struct {
	reached bool   // the SDK decided whether to redirect
	allowed bool   // a GET page navigation: the SDK may redirect it
	method  string // the method, when it is not GET
	dest    string // Sec-Fetch-Dest, when it is not a page navigation
	// count is __clerk_redirect_count as the loop guard read it: how many
	// handshakes came just before this one (the cookie lives 2 s).
	count float64
}

func readRedirectCheck(v *Verdict) redirectCheck {
	var rc redirectCheck
	for _, s := range v.Evidence {
		switch s.ID {
		case stepLoopGuard:
			if n, ok := strings.CutPrefix(s.Found, CookieRedirectCount+" = "); ok {
				if f, err := strconv.ParseFloat(n, 64); err == nil {
					rc.count = f
				}
			}
			continue
		case stepEligible:
		default:
			continue
		}
		rest, no := strings.CutPrefix(s.Found, "no: ")
		if !no && !strings.HasPrefix(s.Found, "yes: ") {
			continue
		}
		rc.reached, rc.allowed = true, !no
		if m, ok := strings.CutPrefix(rest, "the method is "); ok {
			rc.method, _, _ = strings.Cut(m, " ")
		} else if d, ok := strings.CutPrefix(rest, "Sec-Fetch-Dest is "); ok {
			rc.dest, _, _ = strings.Cut(d, ",")
		}
	}
	return rc
}

// fetch reports a request ruled out as a fetch, XHR or other sub-resource
// rather than by its method.
func (rc redirectCheck) fetch() bool { return rc.reached && !rc.allowed && rc.method == "" }

// blocked says in words why the SDK could not redirect the request.
func (rc redirectCheck) blocked() string {
	switch {
	case rc.method != "":
		return "the method is " + rc.method
	case rc.dest == "empty":
		return "this is a fetch or XHR (Sec-Fetch-Dest: empty), not a page navigation"
	case rc.dest != "":
		return "Sec-Fetch-Dest is " + rc.dest + ", not a page navigation"
	}
	return "the request has no Sec-Fetch-Dest and its Accept is not text/html, so it is not a page navigation"
}

func looped(v *Verdict) bool {
	return strings.Contains(strings.Join(v.Logs, " "), "infinite redirect loop")
}

// noHandshake explains a handshake reason that ended signed-out: either the
// request could not be redirected, or three handshakes in a row failed.
func noHandshake(v *Verdict, rc redirectCheck) (string, []string) {
	r := v.Reason
	if looped(v) {
		why := "__clerk_redirect_count reached 3: three handshakes in a row did not fix the session, so the SDK stopped redirecting and answered signed-out."
		switch {
		case r == SessionTokenNBF || r == SessionTokenIatInTheFuture:
			return why, []string{"Each handshake came back with a token that is again in the future for this server: its clock is behind Clerk's. More handshakes cannot help; fix the server clock."}
		case r == SatelliteCookieNeedsSyncing:
			return why, []string{"The satellite's sync with the primary domain does not stick: check that this domain is configured as a satellite of this instance and that the primary is reachable; preview deployments need a development instance or a configured preview domain (the SDK's log says so)."}
		case strings.HasPrefix(r, refreshReasonPrefix):
			return why, []string{"Each handshake returned a token this server judged expired again. The usual causes: the server clock is ahead of Clerk's (compare its Date header with the real time), a publishable key and secret key from different instances (the SDK's log says so), or cookies the browser refuses to store (third-party or SameSite rules, a wrong Domain)."}
		}
		return why, []string{"The usual cause is a publishable key and secret key from different instances, or cookies that the browser refuses to store (third-party or SameSite rules, a wrong Domain)."}
	}
	if !rc.reached || rc.allowed {
		return "", nil
	}
	why := "No redirect was possible: " + rc.blocked() + ", and only GET page navigations can be redirected to Clerk's Frontend API for a handshake, so the SDK answered signed-out instead."
	switch {
	case v.TokenCarrier == carrierHeader, strings.HasPrefix(r, refreshReasonPrefix), r == DevBrowserMissing,
		r == SessionTokenNBF, r == SessionTokenIatInTheFuture:
		return why, nil // the reason's own advice covers this kind of request
	}
	return why, []string{"Until a GET page navigation handshakes and repairs the cookies, requests like this one answer signed-out."}
}

// repeatedHandshake explains a handshake that follows another within
// seconds (__clerk_redirect_count > 0): whatever the reason, it is no
// longer happening once, and the previous round did not fix the session.
func repeatedHandshake(v *Verdict, count float64) []string {
	out := []string{fmt.Sprintf("This is not the first handshake in a row: __clerk_redirect_count is %s, so the handshake just before did not fix the session. After 3 the SDK gives up and answers signed-out.", js.NumberString(count))}
	r := v.Reason
	switch {
	case v.TokenCarrier == carrierHeader:
		out = append(out, "The token comes in the Authorization header, which the SDK reads instead of the cookies the handshake sets: whatever adds that header must send a fresh token from getToken().")
	case strings.HasPrefix(r, refreshReasonPrefix):
		out = append(out, "The token this server sees is expired again after a handshake: its clock is likely ahead of Clerk's (compare its Date header with the real time), or the browser does not keep the cookies the handshake sets (Domain, SameSite, third-party blocking), or the publishable and secret keys belong to different instances.")
	case r == SessionTokenNBF || r == SessionTokenIatInTheFuture:
		out = append(out, "Every new token is again in the future for this server: fix its clock.")
	case r == DevBrowserMissing || r == DevBrowserSync:
		out = append(out, "The dev browser token does not stick: __clerk_db_jwt is not stored or not sent back (another port or host name, cookies blocked, a redirect that keeps the query string).")
	case r == SatelliteCookieNeedsSyncing || r == PrimaryRespondsToSyncing:
		out = append(out, "The satellite sync does not stick: check that the satellite and primary domains are configured for this instance and that the satellite keeps the cookies the sync sets.")
	default:
		out = append(out, "The browser does not keep what the handshake sets, or the keys belong to different instances: compare the handshake's Set-Cookie with the cookies of the next request.")
	}
	return out
}

// handshakeNext is what to expect from the handshake the SDK answered with.
// Only reasons that one handshake normally cures say it is normal.
func handshakeNext(v *Verdict, now time.Time) []string {
	r := v.Reason
	if v.TokenCarrier == carrierHeader {
		return []string{"The SDK redirects this page navigation to Clerk's Frontend API (a handshake), but the token came in the Authorization header, which the SDK reads before anything else: whatever adds that header must send a fresh token from getToken(), or every navigation carrying the old one handshakes again until the SDK gives up after 3."}
	}
	switch {
	case strings.HasPrefix(r, refreshReasonPrefix):
		if code := strings.TrimPrefix(r, refreshReasonPrefix); code != RefreshNonEligibleNoCookie {
			return []string{"The server tried to refresh the token first (the request carries a __refresh cookie) and that failed (" + code + "), so the SDK falls back to a handshake, which usually restores the session: look at the next request to this URL."}
		}
		if exp, ok := v.claimTime("exp"); ok && now.Sub(exp) > staleToken {
			return []string{fmt.Sprintf("The token expired %s before this request, longer than a tab sleeps and longer than a Clerk session lasts by default (7 days): the handshake will probably come back signed out. If this is an old capture or paste, judge it at the time it was taken (--now).", ago(now.Sub(exp)))}
		}
		return []string{
			onceNormal + "the token expired while the tab was closed or asleep (clerk-js renews it about every minute, but only while the page runs), so the SDK sends the browser to Clerk's Frontend API, which returns a fresh one. Look at the next request to this URL: it should be signed in.",
			clockAheadHint,
		}
	case r == DevBrowserMissing:
		return []string{onceNormal + "a development instance's first page load has no dev browser yet; the Frontend API creates one and comes back with __clerk_db_jwt. The next request to this URL should carry it."}
	case r == DevBrowserSync:
		return []string{onceNormal + "the handshake stores the dev browser token and comes back to the same URL without it."}
	case r == SatelliteCookieNeedsSyncing:
		return []string{onceNormal + "a satellite domain fetches the session from the primary domain on its first page load (or after __clerk_synced=false) and comes back with __clerk_synced=true."}
	case r == PrimaryRespondsToSyncing:
		return []string{onceNormal + "during a satellite's sign-in, the primary sends the browser back to the satellite with __clerk_synced=true."}
	case r == PrimaryDomainCrossOriginSync:
		return []string{onceNormal + "a page navigation from another site re-syncs the session once; the handshake comes back with __clerk_redirect_count set, and the next request is judged normally."}
	case r == ActiveOrganizationMismatch:
		return []string{onceNormal + "the Frontend API activates the organization the URL names and comes back with a token for it."}
	case r == SessionTokenNBF || r == SessionTokenIatInTheFuture:
		return []string{"A handshake cannot fix this: the Frontend API mints the next token by the same clock, so it is again in the future for this server. Page loads redirect until __clerk_redirect_count reaches 3, then answer signed-out (a redirect loop)."}
	case r == SessionTokenWithoutClientUAT:
		return []string{"The handshake asks the Frontend API for this browser's real state. It settles the mismatch only if the stray __session is replaced: a __session written by another app on this host comes back with the next request, and the handshake repeats."}
	case r == ClientUATWithoutSessionToken:
		return []string{"The handshake fetches a new __session from the Frontend API. Once is expected when __session was merely absent (the browser dropped it, or this is the first page on a host clerk-js has not run on); if the next request is again " + ClientUATWithoutSessionToken + ", __session is not being stored or not sent here."}
	case r == SessionTokenIATBeforeClientUAT:
		return []string{"The handshake fetches a token newer than the last change: expected once right after a sign-in, sign-out or session switch in another tab."}
	}
	return []string{"The browser is sent to Clerk's Frontend API and should come back with fresh cookies: look at the next request to this URL (signed in, or signed out with a clear reason)."}
}

// machineToken reports a verdict about a machine token (API key, M2M or
// OAuth token), which always comes in the Authorization header.
func machineToken(v *Verdict) bool {
	t := v.GetTokenType()
	return t != "" && t != TokenTypeSession
}

// sdkSays quotes the SDK's own message, unchanged, after clerkscope's reading.
func sdkSays(v *Verdict) string {
	if v.Message == "" {
		return ""
	}
	return " The SDK says: \"" + v.Message + "\""
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
		return strconv.Itoa(int(d.Seconds())) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min " + strconv.Itoa(int(d.Seconds())%60) + " s"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h " + strconv.Itoa(int(d.Minutes())%60) + " min"
	default:
		return strconv.Itoa(int(math.Round(d.Hours()/24))) + " days"
	}
}

func (v *Verdict) claimTime(name string) (time.Time, bool) {
	if v.Token == nil {
		return time.Time{}, false
	}
	return v.Token.ClaimTime(name)
}
