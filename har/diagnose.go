package har

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/cause"
	"github.com/clerkscope/clerkscope/inspect"
)

// Diagnosis is one root cause clerkscope found, with the entries that prove
// it. explain --json lists them under "diagnosis", problems first.
type Diagnosis struct {
	cause.Finding
	Entries  []int    `json:"entries"`
	Evidence []string `json:"evidence"`
	// CausedBy names the diagnosis behind this one (a loop's cause).
	CausedBy string `json:"causedBy,omitempty"`
}

// newDiagnosis fills a diagnosis from the catalogue.
func newDiagnosis(code, confidence, title string, entries []int, evidence ...string) Diagnosis {
	if entries == nil {
		entries = []int{}
	}
	ev := []string{}
	for _, e := range evidence {
		if e != "" {
			ev = append(ev, e)
		}
	}
	return Diagnosis{Finding: causeOf(code).Found(confidence, title), Entries: limit(uniqueInts(entries)), Evidence: ev}
}

func uniqueInts(a []int) []int {
	if len(a) < 2 {
		return a
	}
	b := append([]int(nil), a...)
	sort.Ints(b)
	out := b[:1]
	for _, x := range b[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

// diagnose turns the facts into root causes, problems first, each cause
// once, and never two that contradict each other.
func (f *facts) diagnose(s *Story, setup *inspect.Setup) []Diagnosis {
	var out []Diagnosis
	add := func(d Diagnosis) { out = append(out, d) }

	if s != nil && s.Sanitized {
		add(newDiagnosis(CodeSanitized, Certain, "The capture was exported without cookies (a sanitized HAR)", nil,
			"no request carries a Cookie or Authorization header and no response a Set-Cookie"))
		return out
	}
	if d, ok := keysMismatch(setup); ok {
		add(d)
	}
	if len(f.throws) > 0 {
		d := newDiagnosis(CodeConfigError, Certain, "The middleware throws on its configuration: "+f.throwText, f.throws, "authenticateRequest threw: "+f.throwText)
		add(d)
	}

	clock := f.clockDiagnosis(s, setup)
	if clock == nil && len(f.timeAhead) > 0 && len(f.timeBehind) == 0 {
		d := newDiagnosis(CodeServerClockAhead, Likely, "The server found fresh tokens expired: its clock is likely ahead", f.timeAhead,
			fmt.Sprintf("the server answered session-token-expired on %s whose token is still valid at the browser's clock (no Date header or SDK message shows the server's clock)", countOf(len(f.timeAhead), "request")))
		clock = &d
	} else if clock == nil && len(f.timeBehind) > 0 && len(f.timeAhead) == 0 {
		d := newDiagnosis(CodeServerClockBehind, Likely, "The server found fresh tokens not yet valid: its clock is likely behind", f.timeBehind,
			fmt.Sprintf("the server answered nbf / iat in the future on %s whose token is valid at the browser's clock", countOf(len(f.timeBehind), "request")))
		clock = &d
	}
	if clock != nil {
		add(*clock)
	}
	if f.stalePaste != nil {
		c := f.stalePaste
		title := fmt.Sprintf("Old paste: %s while its token was fresh (%s)", f.staleThen, c.Sent.UTC().Format("2006-01-02 15:04 UTC"))
		if f.staleTodayShort != "" {
			title += ", " + f.staleTodayShort + " any later"
		}
		d := newDiagnosis(CodeStalePaste, Certain, title, []int{f.staleEntry}, c.From, f.staleToday)
		add(d)
	}
	if len(f.cached) > 0 || len(f.replayed) > 0 {
		ev := append(append([]string{}, f.cachedWhy...), f.replayedWhy...)
		add(newDiagnosis(CodeEdgeCache, Certain, fmt.Sprintf("A cache served the auth middleware's responses (%s)", countOf(len(f.cached)+len(f.replayed), "response")),
			append(append([]int{}, f.cached...), f.replayed...), ev...))
	} else if len(f.cacheable) > 0 {
		add(newDiagnosis(CodeEdgeCache, Possible, "Auth responses are marked cacheable by shared caches", f.cacheable, f.cacheableWhy))
	}
	if len(f.proxy) > 0 {
		add(newDiagnosis(CodeProxyHost, Certain, "The SDK redirects to an address the browser did not use: a proxy does not pass the public host or scheme", f.proxy, f.proxyWhy...))
	}
	if len(f.nonceFailed) > 0 {
		add(newDiagnosis(CodeNonceFailed, Likely, "The handshake came back, but the server could not exchange its nonce at the Backend API", f.nonceFailed,
			"the browser returned with __clerk_handshake_nonce and the request was still not signed in", f.nonceWhy))
	}
	if len(f.foreign) > 0 {
		add(newDiagnosis(CodeForeignToken, Certain, "The session token comes from another Clerk instance", f.foreign, f.foreignWhy))
	}
	if len(f.keyWrong) > 0 {
		add(newDiagnosis(CodeKeysMismatch, Likely, "The session token does not verify with the app's keys", f.keyWrong, f.keyWrongBy))
	}
	if len(f.foreignCookie) > 0 && len(f.otherSets) == 0 && len(f.dupHeader) == 0 {
		add(newDiagnosis(CodeOtherAppCookies, Likely, "The browser sends another Clerk instance's session cookies to this app", f.foreignCookie, f.foreignCookieWhy))
	} else if len(f.otherSets) > 0 || len(f.dupHeader) > 0 {
		entries := append(append([]int{}, f.dupHeader...), f.otherSets...)
		conf := Certain
		title := "Cookies of another app or environment on the same domain"
		add(newDiagnosis(CodeOtherAppCookies, conf, title, entries, f.dupWhy, f.otherSetWhy))
	} else if len(f.uatZeroFresh) > 0 {
		add(newDiagnosis(CodeOtherAppCookies, Possible, "__client_uat is 0 beside a valid session token", f.uatZeroFresh,
			"the SDK read __client_uat=0 (no signed-in client) while __session holds a token that has not expired: another app on the domain wrote __client_uat, or the user signed out in another tab and this cookie is stale"))
	}
	if len(f.azpMissing) > 0 {
		add(newDiagnosis(CodeAZPMissing, Certain, "The session token has no azp claim and authorizedParties is set", f.azpMissing, f.azpWhy))
	}
	if len(f.azpBad) > 0 {
		add(newDiagnosis(CodeAZPNotAllowed, Certain, "The token's origin (azp) is not in authorizedParties", f.azpBad, f.azpWhy))
	}
	if len(f.synced) >= 4 {
		add(newDiagnosis(CodeSatelliteNoSync, Certain, fmt.Sprintf("The satellite and the primary domain send the browser back and forth (%d sync redirects)", len(f.synced)), f.synced,
			"requests and redirects carrying __clerk_synced / __clerk_redirect_url at entries "+joinInts(f.synced)))
	} else if len(f.satellite) > 0 && (f.satLoopLog || len(f.satellite) >= 2) {
		add(newDiagnosis(CodeSatelliteNoSync, Likely, "The satellite domain does not get its session from the primary", f.satellite))
	}
	if s == nil && len(out) == 0 {
		// A pasted token from the future: the server's clock is behind the
		// issuer's (or the paste was edited).
		if tok := f.pastedToken; tok != nil && (f.pastedReason == inspect.SessionTokenIatInTheFuture || f.pastedReason == inspect.SessionTokenNBF || f.pastedReason == inspect.TokenIatInTheFuture || f.pastedReason == inspect.TokenNotActiveYet) {
			claim := "iat"
			if f.pastedReason == inspect.SessionTokenNBF || f.pastedReason == inspect.TokenNotActiveYet {
				claim = "nbf"
			}
			t, _ := tok.ClaimTime(claim)
			add(newDiagnosis(CodeServerClockBehind, Possible, "The token is not valid yet at the time it was judged at: the server's clock may be behind Clerk's", nil,
				fmt.Sprintf("%s %s is %s after the judged time %s (tolerance 5 s)", claim, t.UTC().Format(time.RFC3339), inspect.Ago(t.Sub(f.pastedAt)), f.pastedAt.UTC().Format(time.RFC3339))))
		}
	}
	if len(f.signInLoop) > 0 {
		add(newDiagnosis(CodeSignInProtected, Certain, "The sign-in page ("+f.signInPath+") redirects to itself", f.signInLoop))
	}
	if len(f.badAuth) > 0 {
		add(newDiagnosis(CodeBadAuthHeader, Certain, "The Authorization header carries no token", f.badAuth, f.badAuthWhy))
	}
	for _, k := range slices.Sorted(maps.Keys(f.devLost)) {
		if idx := f.devLost[k]; len(idx) >= 2 {
			add(newDiagnosis(CodeDevBrowserLost, Likely, fmt.Sprintf("The dev browser token is not kept: %s asks for it %d times", k, len(idx)), idx,
				"handshakes with dev-browser-missing on the same page at entries "+joinInts(idx)))
			break
		}
	}
	if len(f.iframe) > 0 {
		d := newDiagnosis(CodeCookieNotSent, Likely, "The app is embedded in another site's frame, where its cookies are not sent", f.iframe,
			"Sec-Fetch-Dest: iframe with Sec-Fetch-Site: cross-site, and the request is not signed in")
		add(d)
	}
	if len(f.itp) > 0 {
		add(newDiagnosis(CodeSafariITP, Possible, "Safari may have dropped the session cookies after 7 days", f.itp, f.itpWhy))
	}
	if len(f.thirdParty) > 0 && (s == nil || s.Counts.SignedOut+s.Counts.Handshake > 0) {
		add(newDiagnosis(CodeThirdPartyApp, Possible, "The app is not on the instance's domain, so Clerk's cookies are third-party", f.thirdParty, f.thirdWhy))
	}
	if len(f.bigToken) > 0 {
		add(newDiagnosis(CodeTokenTooLarge, Likely, "The session token is close to the browser's cookie size limit", f.bigToken, f.bigTokenWhy))
	}
	if s != nil {
		for _, d := range s.cookieDiagnoses() {
			add(d)
		}
	}
	if len(f.subdomain) == 0 && len(f.uatNoSession) > 0 && (s == nil || len(s.notSent) == 0) {
		add(newDiagnosis(CodeCookieNotSent, Possible, "__client_uat arrives without __session", f.uatNoSession,
			"__client_uat says a user is signed in on this browser, but the request carries no __session: the session cookie was not sent here (a host-only cookie on another host, SameSite, a blocked or oversized cookie) or was removed"))
	}
	if len(f.subdomain) > 0 {
		add(newDiagnosis(CodeSubdomainAPI, Likely, "API calls to another host get __client_uat but not the host-only __session", f.subdomain, f.subWhy))
	}
	if len(f.noCreds) > 0 && s != nil && s.docSignedIn.n > 0 {
		add(newDiagnosis(CodeAPINoCredentials, Likely, "API calls carry no session cookie or token while pages are signed in", f.noCreds,
			fmt.Sprintf("%s without a Clerk cookie or Authorization header; %s signed in", countOf(len(f.noCreds), "fetch"), countOf(s.docSignedIn.n, "page load"))))
	}
	if len(f.expiredAPI) > 0 && clock == nil {
		add(newDiagnosis(CodeAPIStaleToken, Likely, "API calls carry expired session tokens", f.expiredAPI))
	}
	if len(f.noMiddleware) > 0 {
		// Where the middleware sets its headers on some responses of a
		// host, their absence on others of that host means it did not run
		// there; a host that never shows them may be another app.
		conf := Possible
		var entries []int
		for i, idx := range f.noMiddleware {
			if len(f.withHeaders) == 0 {
				entries = append(entries, idx)
			} else if f.withHeaders[f.noMWHost[i]] > 0 {
				entries = append(entries, idx)
				conf = Likely
			}
		}
		if len(entries) > 0 {
			add(newDiagnosis(CodeMiddlewareNotRunning, conf, "The Clerk middleware did not run on some routes", entries,
				fmt.Sprintf("%s judged not signed in answered without any x-clerk-auth-* header", countOf(len(entries), "request"))))
		}
	}
	if len(f.devPublic) > 0 {
		add(newDiagnosis(CodeDevOnPublicHost, Possible, "A development instance serves "+f.devHost, f.devPublic))
	}
	if clock == nil && len(f.expiredDoc) >= 3 && len(f.expiredSlept) < len(f.expiredDoc) {
		add(newDiagnosis(CodeTokenNotRefreshed, Likely, fmt.Sprintf("Session tokens expire again and again (%d times) while the user is active", len(f.expiredDoc)), f.expiredDoc))
	}

	if len(f.saidKeys) > 0 && len(f.keyWrong) == 0 && len(f.foreign) == 0 {
		add(newDiagnosis(CodeKeysMismatch, Likely, "The app verifies tokens with another instance's key than the one that signed them", f.saidKeys, f.saidKeysWhy))
	}
	if len(f.saidAZP) > 0 && len(f.azpBad) == 0 && len(f.azpMissing) == 0 {
		add(newDiagnosis(CodeAZPNotAllowed, Likely, "The app's authorizedParties does not list the page's origin", f.saidAZP, f.saidAZPWhy))
	}
	if s != nil && s.disagree.n > 0 && clock == nil && len(f.cached) == 0 && len(f.replayed) == 0 && len(f.cacheable) == 0 {
		// Disagreements another cause explains are that cause's.
		explained := map[int]bool{}
		for _, d := range out {
			if d.Problem && d.Confidence != Possible {
				for _, e := range d.Entries {
					explained[e] = true
				}
			}
		}
		if left := s.disagree.first(func(e int) bool { return !explained[e] }); len(left) > 0 {
			add(newDiagnosis(CodeServerDisagrees, Likely, "The app's own x-clerk-auth headers differ from the SDK's verdict with these options", left))
		}
	}
	// The loops, with the cause found above.
	for _, r := range f.loops {
		add(f.loopDiagnosis(r, out))
	}
	for _, k := range slices.Sorted(maps.Keys(f.toSignIn)) {
		if idx := f.toSignIn[k]; len(idx) >= 3 {
			add(f.signInLoopDiagnosis(k, idx, out))
		}
	}

	problems := 0
	for _, d := range out {
		if d.Problem {
			problems++
		}
	}
	// What happened that is not a fault, said only when nothing above
	// explains the same entries.
	if problems == 0 {
		if clock == nil && len(f.expiredSlept) > 0 {
			add(newDiagnosis(CodeTabSlept, Certain, "The session token expired during a pause and the handshake renewed it", f.expiredSlept))
		}
		if s != nil && len(s.signOuts) > 0 {
			add(newDiagnosis(CodeSignedOut, Certain, "The user signed out", s.signOuts, "the Frontend API ended the session and set __client_uat=0"))
		} else if s != nil && len(f.uatDrop) > 0 {
			add(newDiagnosis(CodeSignedOutElsewhere, Likely, "The session ended in another tab or window", f.uatDrop))
		} else if len(f.signedOutReal) > 0 && (s == nil || s.Counts.SignedIn == 0) {
			add(newDiagnosis(CodeSignedOut, Likely, "The browser is signed out", f.signedOutReal))
		}
		if s != nil && len(s.devBoot) > 0 {
			add(newDiagnosis(CodeDevBrowser, Certain, "Development instance: the dev browser was set up", s.devBoot))
		}
		if len(f.rewrite) > 0 {
			add(newDiagnosis(CodeProtectRewrite, Certain, "auth.protect() answered signed-out API calls with a 404", f.rewrite))
		}
		if s != nil && s.Counts.App > 0 && s.Counts.SignedOut == 0 && s.Counts.Handshake == 0 && s.Counts.Throws == 0 {
			add(newDiagnosis(CodeSignedInThroughout, Certain, "Signed in throughout", nil, fmt.Sprintf("%s, all signed in", countOf(s.Counts.App, "application request"))))
		} else if s != nil && s.lastDoc == inspect.SignedIn && len(s.signIns) > 0 && len(s.signOuts) == 0 && len(f.expiredSlept) == 0 {
			d := newDiagnosis(CodeSignedInThroughout, Certain, fmt.Sprintf("Signed out until the sign-in at entry %d, signed in from then on", s.signIns[0]), s.signIns,
				fmt.Sprintf("%s signed in, %s signed out (before signing in)", countOf(s.Counts.SignedIn, "request"), countOf(s.Counts.SignedOut, "request")))
			d.Why = "The browser was signed out until the user signed in, and the requests after the sign-in are signed in: nothing here signed the user out."
			add(d)
		}
	}
	if clock == nil {
		if b := f.browserClock(s); b != nil {
			add(*b)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return rankOf(out[a]) > rankOf(out[b]) })
	return causesFirst(out)
}

// causesFirst moves each symptom (a loop with a cause) right after the
// diagnosis that causes it, so a cause is always read before its symptom.
func causesFirst(ds []Diagnosis) []Diagnosis {
	for moved := true; moved; {
		moved = false
		for i, d := range ds {
			if d.CausedBy == "" {
				continue
			}
			c := -1
			for k := range ds {
				if ds[k].Code == d.CausedBy && ds[k].CausedBy == "" {
					c = k
					break
				}
			}
			if c > i {
				sym := ds[i]
				copy(ds[i:], ds[i+1:c+1])
				ds[c] = sym
				moved = true
				break
			}
		}
	}
	return ds
}

func rankOf(d Diagnosis) int {
	r := 0
	if d.Problem {
		r += 10
	}
	switch d.Confidence {
	case Certain:
		r += 3
	case Likely:
		r += 2
	}
	if d.Code == CodeHandshakeLoop && d.CausedBy != "" {
		// The cause reads before its symptom.
		r--
	}
	return r
}

func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "h") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// DiagnoseRequest diagnoses one pasted request (no capture around it).
func DiagnoseRequest(j *Judged, setup *inspect.Setup) []Diagnosis {
	var f facts
	f.observe(j, nil, appClock{})
	out := f.diagnose(nil, setup)
	v := j.Result.Verdict
	if f.stalePaste == nil && (len(out) == 0 || !anyProblem(out)) {
		switch {
		case v.Status == inspect.SignedIn:
			d := newDiagnosis(CodeSignedInThroughout, Certain, "Signed in", nil)
			d.Why = "The SDK signs this request in: nothing in it would sign the user out."
			out = append(out, d)
		case v.Reason == inspect.SessionTokenAndUATMissing:
			out = append(out, newDiagnosis(CodeSignedOut, Likely, "The browser is signed out", []int{indexOf(j)}))
		}
	}
	for i := range out {
		// A pasted request has no entry numbers.
		out[i].Entries = []int{}
	}
	sort.SliceStable(out, func(a, b int) bool { return rankOf(out[a]) > rankOf(out[b]) })
	return out
}

func anyProblem(ds []Diagnosis) bool {
	for _, d := range ds {
		if d.Problem {
			return true
		}
	}
	return false
}
