package har

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"clerkscope/inspect"
)

// Diagnosis is one root cause clerkscope found, with the entries that prove
// it. explain --json lists them under "diagnosis", problems first.
type Diagnosis struct {
	Code       string `json:"code"`
	Confidence string `json:"confidence"`
	// Problem is false for what a healthy app does (shown so the reader
	// stops looking there).
	Problem  bool     `json:"problem"`
	Title    string   `json:"title"`
	Why      string   `json:"why"`
	Fix      []string `json:"fix"`
	Docs     string   `json:"docs,omitempty"`
	Entries  []int    `json:"entries"`
	Evidence []string `json:"evidence"`
	// CausedBy names the diagnosis behind this one (a loop's cause).
	CausedBy string `json:"causedBy,omitempty"`
}

// newDiagnosis fills a diagnosis from the catalogue.
func newDiagnosis(code, confidence, title string, entries []int, evidence ...string) Diagnosis {
	c := causeOf(code)
	if entries == nil {
		entries = []int{}
	}
	ev := []string{}
	for _, e := range evidence {
		if e != "" {
			ev = append(ev, e)
		}
	}
	return Diagnosis{Code: code, Confidence: confidence, Problem: c.Problem, Title: title, Why: c.Why,
		Fix: append([]string(nil), c.Fix...), Docs: c.Docs, Entries: limit(uniqueInts(entries)), Evidence: ev}
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

// facts are what the diagnosis needs from each judged request, gathered as
// the capture streams (bounded: entry lists keep their first 50).
type facts struct {
	n int

	clockJudged  []int
	clockChanged []int
	counterOK    int
	counterAt    map[string]int

	cached       []int
	cachedWhy    []string
	replayed     []int
	replayedWhy  []string
	cacheable    []int
	cacheableWhy string

	proxy    []int
	proxyWhy []string

	azpBad     []int
	azpMissing []int
	azpWhy     string

	foreign    []int
	foreignWhy string
	keyWrong   []int
	keyWrongBy string

	nonceFailed []int
	nonceWhy    string
	synced      []int
	satellite   []int
	satLoopLog  bool

	dupHeader    []int
	dupWhy       string
	uatZeroFresh []int
	badAuth      []int
	badAuthWhy   string
	devLost      map[string][]int
	iframe       []int
	itp          []int
	itpWhy       string
	thirdParty   []int
	thirdWhy     string
	uatNoSession []int
	otherSets    []int
	otherSetWhy  string

	bigToken    []int
	bigTokenWhy string
	subdomain   []int
	subWhy      string
	rewrite     []int
	devPublic   []int
	devHost     string
	throws      []int
	throwText   string

	noMiddleware []int
	noMWHost     []string
	withHeaders  map[string]int
	requestIDs   map[string]int

	signInLoop []int
	signInPath string

	expiredDoc    []int
	expiredSlept  []int
	expiredTokens map[string]bool
	expiredAPI    []int
	noCreds       []int

	signedOutReal []int
	uatDrop       []int

	headerToken  bool
	pastedToken  *inspect.JWT
	pastedReason string
	pastedAt     time.Time
	stalePaste   *inspect.ClockNote
	staleEntry   int
	staleThen    string
	staleToday   string
	// staleTodayShort is today's status alone.
	staleTodayShort string

	toSignIn    map[string][]int
	toSignInWhy map[string]map[string]int
	// timeReasons are entries the server judged with a time-based reason
	// where the browser's clock signs them in (a clock no header showed).
	timeAhead  []int
	timeBehind []int
	rounds     map[string]*loopRun
	loops      []*loopRun
	lastSeen   time.Time
}

// loopRun is a run of handshake redirects of one URL.
type loopRun struct {
	path    string
	entries []int
	fapi    []int
	ended   string
	endedAt int
	gaveUp  bool
}

func appendCap(a []int, x int) []int {
	if len(a) >= 50 {
		return a
	}
	return append(a, x)
}

// observe gathers the facts of one judged application request.
func (f *facts) observe(j *Judged, s *Story) {
	f.n++
	v := j.Result.Verdict
	e := j.Entry
	idx := indexOf(j)
	req := j.Request
	if j.Result.Clock != nil && j.Result.Clock.From != "" && e != nil {
		f.clockJudged = appendCap(f.clockJudged, idx)
		if o := j.Result.Otherwise; o != nil {
			f.clockChanged = appendCap(f.clockChanged, idx)
			if f.counterAt == nil {
				f.counterAt = map[string]int{}
			}
			f.counterAt[o.Status]++
			if o.Status == inspect.SignedIn {
				f.counterOK++
			}
		}
	}
	if e == nil && j.Result.Clock != nil {
		f.stalePaste = j.Result.Clock
		f.staleEntry = idx
		f.staleThen = strings.TrimSpace(v.Status + " " + v.Reason)
		if o := j.Result.Otherwise; o != nil {
			f.staleToday = "judged today instead: " + strings.TrimSpace(o.Status+" "+o.Reason) + " (" + o.Summary + ")"
			f.staleTodayShort = o.Status
		}
	}
	if v.TokenCarrier == "header" {
		f.headerToken = true
	}
	if e == nil {
		f.pastedToken, f.pastedReason, f.pastedAt = v.Token, v.Reason, j.Result.At
	}

	// Tokens of another instance, keys that do not verify them.
	if tok := v.Token; tok != nil {
		iss := tok.ClaimString("iss")
		if host := hostOf(iss); host != "" && v.Instance.FrontendAPI != "" && !strings.EqualFold(host, v.Instance.FrontendAPI) && !v.Instance.IsSatellite && v.Instance.ProxyURL == "" {
			f.foreign = appendCap(f.foreign, idx)
			f.foreignWhy = fmt.Sprintf("the token's iss is %s; the app's instance is %s", iss, v.Instance.FrontendAPI)
		}
	}
	switch v.Reason {
	case inspect.JWKKidMismatch, inspect.TokenInvalidSignature, inspect.JWKRemoteMissing:
		if len(f.foreign) == 0 || f.foreign[len(f.foreign)-1] != idx {
			f.keyWrong = appendCap(f.keyWrong, idx)
			f.keyWrongBy = v.Reason + ": " + firstLine(v.Message)
		}
	case inspect.TokenInvalidAuthorizedParties:
		if v.Token != nil && v.Token.ClaimString("azp") == "" {
			f.azpMissing = appendCap(f.azpMissing, idx)
		} else {
			f.azpBad = appendCap(f.azpBad, idx)
		}
		f.azpWhy = firstLine(v.Message)
	case inspect.SatelliteCookieNeedsSyncing:
		f.satellite = appendCap(f.satellite, idx)
	}
	for _, l := range v.Logs {
		if strings.Contains(l, "Satellite-domain authentication resulted in an infinite redirect loop") {
			f.satLoopLog = true
			f.satellite = appendCap(f.satellite, idx)
		}
	}
	// An Authorization header without a usable token.
	if a, ok := req.Get("authorization"); ok {
		scheme, tok, _ := strings.Cut(strings.TrimSpace(a), " ")
		tok = strings.TrimSpace(tok)
		if strings.EqualFold(scheme, "Bearer") && (tok == "" || tok == "undefined" || tok == "null" || strings.Count(tok, ".") != 2 && !strings.HasPrefix(tok, "ak_") && !strings.HasPrefix(tok, "mt_") && !strings.HasPrefix(tok, "oat_")) && v.Status != inspect.SignedIn {
			f.badAuth = appendCap(f.badAuth, idx)
			shown := tok
			if len(shown) > 24 {
				shown = shown[:24] + "…"
			}
			f.badAuthWhy = fmt.Sprintf("Authorization: Bearer %q", shown)
		}
	}
	if v.Status == inspect.Throws && strings.Contains(v.Error, "Handshake token verification failed due to an invalid signature") {
		// The handshake was signed by another instance's key.
		f.keyWrong = appendCap(f.keyWrong, idx)
		f.keyWrongBy = firstLine(v.Error)
	}
	if v.Status == inspect.Throws {
		f.throws = appendCap(f.throws, idx)
		if f.throwText == "" {
			f.throwText = firstLine(v.Error)
		}
	}

	// Two copies of a Clerk cookie in one Cookie header.
	cookies := req.Cookies()
	first := map[string]string{}
	for _, c := range cookies {
		if !clerkCookie(c.Name) {
			continue
		}
		if prev, ok := first[c.Name]; ok {
			if prev != c.Value && f.dupWhy == "" || prev != c.Value && !strings.Contains(f.dupWhy, c.Name+" ") {
				f.dupWhy = strings.TrimSpace(f.dupWhy + fmt.Sprintf(" %s is sent twice (%s first, then %s); the SDK reads the first.", c.Name, cookieShort(c.Name, prev), cookieShort(c.Name, c.Value)))
			}
			if prev != c.Value {
				f.dupHeader = appendCap(f.dupHeader, idx)
			}
			continue
		}
		first[c.Name] = c.Value
	}
	if v.Reason == inspect.ClientUATWithoutSessionToken {
		f.uatNoSession = appendCap(f.uatNoSession, idx)
	}
	// __client_uat=0 beside a session token that is still valid.
	if v.Reason == inspect.SessionTokenWithoutClientUAT {
		if tok := v.Token; tok != nil {
			if exp, ok := tok.ClaimTime("exp"); ok && exp.After(j.Result.At) {
				f.uatZeroFresh = appendCap(f.uatZeroFresh, idx)
			}
		} else {
			f.uatZeroFresh = appendCap(f.uatZeroFresh, idx)
		}
	}
	// A session cookie near the browser's 4 KB limit.
	for _, c := range cookies {
		if strings.HasPrefix(c.Name, "__session") && len(c.Name)+len(c.Raw) > 3800 {
			f.bigToken = appendCap(f.bigToken, idx)
			f.bigTokenWhy = fmt.Sprintf("%s is %d bytes (browsers keep at most 4096 per cookie)", c.Name, len(c.Name)+len(c.Raw)+1)
		}
	}
	if e == nil {
		return
	}

	// Everything below needs the captured response.
	host := hostOf(e.Request.URL)
	if said := e.ResponseHeader("x-clerk-auth-reason"); said != "" && said != v.Reason && j.Result.Clock == nil {
		if c, _ := e.Cached(); !c {
			switch {
			case strings.HasPrefix(said, inspect.SessionTokenExpired) && !strings.HasPrefix(v.Reason, inspect.SessionTokenExpired):
				f.timeAhead = appendCap(f.timeAhead, idx)
			case said == inspect.SessionTokenNBF || said == inspect.SessionTokenIatInTheFuture:
				f.timeBehind = appendCap(f.timeBehind, idx)
			}
		}
	}
	if hasClerkHeaders(e) {
		if f.withHeaders == nil {
			f.withHeaders = map[string]int{}
		}
		f.withHeaders[host]++
	}
	if r := e.ResponseHeader("x-clerk-auth-reason"); r == "protect-rewrite" {
		f.rewrite = appendCap(f.rewrite, idx)
	}
	cached, why := e.Cached()
	authResponse := j.Class == ClassHandshakeRedirect || hasClerkHeaders(e)
	if cached && (authResponse || isDoc(j.Class)) {
		f.cached = appendCap(f.cached, idx)
		if len(f.cachedWhy) < 4 {
			f.cachedWhy = append(f.cachedWhy, fmt.Sprintf("entry %d (%s %s): %s", idx, j.Class, pathOf(e.Request.URL), why))
		}
	}
	if id := e.ResponseHeader("x-request-id") + e.ResponseHeader("x-vercel-id"); id != "" && authResponse {
		// The same response id twice: the second is a copy of the first.
		if f.requestIDs == nil {
			f.requestIDs = map[string]int{}
		}
		if first, ok := f.requestIDs[id]; ok && !cached {
			f.replayed = appendCap(f.replayed, idx)
			if len(f.replayedWhy) < 3 {
				f.replayedWhy = append(f.replayedWhy, fmt.Sprintf("entry %d carries the response id of entry %d (%s): the same response, served again", idx, first, id))
			}
		} else if !ok && len(f.requestIDs) < 10000 {
			f.requestIDs[id] = idx
		}
	}
	if !cached && authResponse && s != nil && s.clock != nil {
		// A response the SDK produced long before the browser asked for
		// it was replayed from a cache that says nothing about itself.
		off, within, n := s.clock.app(host)
		if t, ok := sdkClock(e.ResponseHeader("x-clerk-auth-message")); ok && n >= 2 && !e.StartedDateTime.IsZero() {
			lag := e.StartedDateTime.Sub(t).Seconds() + off
			if lag > 10+within {
				f.replayed = appendCap(f.replayed, idx)
				if len(f.replayedWhy) < 3 {
					f.replayedWhy = append(f.replayedWhy, fmt.Sprintf("entry %d: the SDK's message says it judged at %s, %s before the browser sent the request (after the clock offset)", idx, t.UTC().Format("15:04:05"), inspect.Ago(time.Duration(lag*float64(time.Second)))))
				}
			}
		}
	}
	if authResponse && !cached {
		cc := strings.ToLower(e.ResponseHeader("cache-control"))
		if cc != "" && !strings.Contains(cc, "no-store") && !strings.Contains(cc, "private") && (strings.Contains(cc, "public") || strings.Contains(cc, "s-maxage")) {
			f.cacheable = appendCap(f.cacheable, idx)
			f.cacheableWhy = fmt.Sprintf("entry %d answered with Cache-Control: %s", idx, e.ResponseHeader("cache-control"))
		}
	}

	// Redirect targets built from what a proxy passed on.
	if loc := e.ResponseHeader("location"); loc != "" && e.Response.Status >= 300 && e.Response.Status < 400 {
		if target := redirectTarget(loc); target != "" {
			if bad, detail := originMismatch(e.Request.URL, target); bad {
				f.proxy = appendCap(f.proxy, idx)
				if len(f.proxyWhy) < 3 {
					f.proxyWhy = append(f.proxyWhy, fmt.Sprintf("entry %d: the browser asked for %s, but the SDK's redirect sends it back to %s (%s)", idx, originOf(e.Request.URL), originOf(target), detail))
				}
			}
		}
	}

	// A handshake that came back with a nonce the server could not use.
	if hasNonce(e) && v.Status != inspect.SignedIn {
		f.nonceFailed = appendCap(f.nonceFailed, idx)
		if f.nonceWhy == "" {
			for _, c := range v.BAPICalls {
				if strings.Contains(c.Path, "handshake_payload") {
					f.nonceWhy = fmt.Sprintf("entry %d: %s %s → %s", idx, c.Method, c.Path, c.Answered)
				}
			}
			for _, l := range v.Logs {
				if strings.Contains(l, "handshake") && f.nonceWhy != "" && !strings.Contains(f.nonceWhy, "SDK log") {
					f.nonceWhy += "; SDK log: " + firstLine(l)
				}
			}
		}
	}
	// A satellite and its primary sending the browser back and forth.
	if loc := e.ResponseHeader("location"); strings.Contains(e.Request.URL, "__clerk_synced=") || strings.Contains(loc, "__clerk_synced=") || strings.Contains(loc, "__clerk_redirect_url=") {
		f.synced = appendCap(f.synced, idx)
	}

	// Routes the middleware did not run on.
	if j.Class != ClassAsset && (v.Status == inspect.SignedOut || v.Status == inspect.Handshake) && !hasClerkHeaders(e) && !cached &&
		e.Response.Status > 0 && (e.Response.Status < 300 || e.Response.Status >= 400) && e.Response.Status != 401 && e.Response.Status != 403 && hasClerkCookies(req) {
		f.noMiddleware = appendCap(f.noMiddleware, idx)
		if len(f.noMWHost) < 50 {
			f.noMWHost = append(f.noMWHost, host)
		}
	}

	// The sign-in page redirecting to itself.
	if e.Response.Status >= 300 && e.Response.Status < 400 && isDoc(j.Class) {
		if loc := e.ResponseHeader("location"); loc != "" {
			from, _ := url.Parse(e.Request.URL)
			to, err := url.Parse(loc)
			if err == nil && from != nil {
				to = from.ResolveReference(to)
				if to.Path == from.Path && strings.Contains(strings.ToLower(to.Path), "sign-in") && !strings.Contains(loc, "/v1/client/handshake") {
					f.signInLoop = appendCap(f.signInLoop, idx)
					f.signInPath = from.Path
				}
			}
		}
	}

	// The dev browser token asked for again and again on one page.
	if v.Reason == inspect.DevBrowserMissing && j.Class == ClassHandshakeRedirect {
		if f.devLost == nil {
			f.devLost = map[string][]int{}
		}
		k := pathOf(e.Request.URL)
		f.devLost[k] = appendCap(f.devLost[k], idx)
	}
	// A page embedded in another site's frame gets no SameSite=Lax cookies.
	if d := strings.ToLower(req.Value("sec-fetch-dest")); (d == "iframe" || d == "frame") && strings.EqualFold(req.Value("sec-fetch-site"), "cross-site") && v.Status != inspect.SignedIn {
		f.iframe = appendCap(f.iframe, idx)
	}
	// Safari drops script-written cookies after 7 days.
	if ua := req.Value("user-agent"); strings.Contains(ua, "Safari/") && !strings.Contains(ua, "Chrome/") && !strings.Contains(ua, "Chromium/") && v.Status != inspect.SignedIn {
		for _, c := range cookies {
			if strings.HasPrefix(c.Name, "__client_uat") && !c.Shadowed {
				if n, err := strconvAtoi(c.Value); err == nil && n > 0 && !e.StartedDateTime.IsZero() && e.StartedDateTime.Sub(time.Unix(n, 0)) > 7*24*time.Hour {
					f.itp = appendCap(f.itp, idx)
					f.itpWhy = fmt.Sprintf("Safari, and the client last changed %s before this request (%s=%s)", inspect.Ago(e.StartedDateTime.Sub(time.Unix(n, 0))), c.Name, c.Value)
				}
				break
			}
		}
	}
	// A production instance serving a site on another domain.
	if v.Instance.Type == inspect.Production && v.Instance.FrontendAPI != "" && !localHost(host) && isDoc(j.Class) && !v.Instance.IsSatellite && v.Instance.ProxyURL == "" {
		if site := siteOf(strings.Split(host, ":")[0]); site != "" && site != siteOf(v.Instance.FrontendAPI) {
			f.thirdParty = appendCap(f.thirdParty, idx)
			f.thirdWhy = fmt.Sprintf("the page is on %s, the instance's Frontend API on %s: Clerk's cookies are third-party there", host, v.Instance.FrontendAPI)
		}
	}
	// A development instance on a deployed site.
	if v.Instance.Type == inspect.Development && !localHost(host) {
		f.devPublic = appendCap(f.devPublic, idx)
		f.devHost = host
	}

	// Expired tokens: after a pause, or again and again.
	if strings.HasPrefix(v.Reason, inspect.SessionTokenExpired) && j.Result.Otherwise == nil {
		gap := time.Duration(0)
		if !f.lastSeen.IsZero() {
			gap = e.StartedDateTime.Sub(f.lastSeen)
		}
		hash := ""
		if v.Token != nil {
			hash = inspect.ShortHash(v.Token.Raw)
		}
		if f.expiredTokens == nil {
			f.expiredTokens = map[string]bool{}
		}
		if j.Class == ClassFetch {
			f.expiredAPI = appendCap(f.expiredAPI, idx)
		} else if !f.expiredTokens[hash] {
			f.expiredDoc = appendCap(f.expiredDoc, idx)
			if gap > 50*time.Second || f.lastSeen.IsZero() {
				f.expiredSlept = appendCap(f.expiredSlept, idx)
			}
		}
		f.expiredTokens[hash] = true
	}
	if j.Class == ClassFetch && v.Status == inspect.SignedOut && s != nil && s.lastDoc == inspect.SignedIn {
		refused := e.Response.Status == 401 || e.Response.Status == 403 || e.ResponseHeader("x-clerk-auth-status") != ""
		if req.Value("authorization") == "" && !hasClerkCookies(req) && refused {
			f.noCreds = appendCap(f.noCreds, idx)
		} else if v.Reason == inspect.ClientUATWithoutSessionToken {
			if page := pageHost(req); page != "" && page != host {
				f.subdomain = appendCap(f.subdomain, idx)
				f.subWhy = fmt.Sprintf("entry %d went to %s from a page on %s, carrying __client_uat but no __session", idx, host, page)
			}
		}
	}
	if v.Reason == inspect.SessionTokenAndUATMissing && isDoc(j.Class) {
		f.signedOutReal = appendCap(f.signedOutReal, idx)
	}
}

// seen notes every entry's time (the Frontend API's too), for pauses.
func (f *facts) seen(e *Entry) {
	if e != nil && !e.StartedDateTime.IsZero() {
		f.lastSeen = e.StartedDateTime
	}
}

// round follows handshake redirects per URL, as the browser lived them
// (the response it got, not the verdict: a cached redirect loops too).
func (f *facts) round(j *Judged) {
	e := j.Entry
	if e == nil {
		return
	}
	if f.rounds == nil {
		f.rounds = map[string]*loopRun{}
	}
	if j.Class == ClassFAPI {
		if strings.Contains(e.Request.URL, "/v1/client/handshake") {
			for _, r := range f.rounds {
				if len(r.entries) > 0 && len(r.fapi) < len(r.entries) {
					r.fapi = appendCap(r.fapi, e.Index)
					break
				}
			}
		}
		return
	}
	if !isDoc(j.Class) {
		return
	}
	key := pathOf(e.Request.URL)
	if loc := strings.ToLower(e.ResponseHeader("location")); e.Response.Status >= 300 && e.Response.Status < 400 && (e.ResponseHeader("x-clerk-redirect-to") != "" || strings.Contains(loc, "sign-in") || strings.Contains(loc, "/login")) && !strings.Contains(loc, "/v1/client/handshake") && !strings.Contains(strings.ToLower(key), "sign-in") {
		if f.toSignIn == nil {
			f.toSignIn = map[string][]int{}
			f.toSignInWhy = map[string]map[string]int{}
		}
		f.toSignIn[key] = appendCap(f.toSignIn[key], e.Index)
		why := e.ResponseHeader("x-clerk-auth-reason")
		if why == "" {
			why = j.Result.Verdict.Reason
		}
		if f.toSignInWhy[key] == nil {
			f.toSignInWhy[key] = map[string]int{}
		}
		f.toSignInWhy[key][why]++
	}
	r := f.rounds[key]
	if j.Class == ClassHandshakeRedirect {
		if r == nil {
			r = &loopRun{path: key}
			f.rounds[key] = r
		}
		r.entries = appendCap(r.entries, e.Index)
		return
	}
	if r == nil {
		return
	}
	v := j.Result.Verdict
	r.endedAt = e.Index
	switch {
	case e.ResponseHeader("x-clerk-redirect-to") != "" || e.Response.Status >= 300 && e.Response.Status < 400 && strings.Contains(strings.ToLower(e.ResponseHeader("location")), "sign-in"):
		r.ended = "the app sent the browser to sign in"
	case e.ResponseHeader("x-clerk-auth-status") != "":
		r.ended = "the server answered " + e.ResponseHeader("x-clerk-auth-status") + " (" + e.ResponseHeader("x-clerk-auth-reason") + ")"
	case v.Status == inspect.SignedIn:
		r.ended = "signed in"
	default:
		r.ended = v.Status + " (" + v.Reason + ")"
	}
	for _, l := range v.Logs {
		if strings.Contains(l, "infinite redirect loop") {
			r.gaveUp = true
		}
	}
	if strings.Contains(e.ResponseHeader("x-clerk-auth-message"), "infinite redirect loop") {
		r.gaveUp = true
	}
	f.closeRun(key, r)
}

func (f *facts) closeRun(key string, r *loopRun) {
	if len(r.entries) >= 2 || r.gaveUp {
		f.loops = append(f.loops, r)
	}
	delete(f.rounds, key)
}

func (f *facts) endRounds() {
	keys := make([]string, 0, len(f.rounds))
	for k := range f.rounds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := f.rounds[k]
		r.ended = "the capture ends in the middle of it"
		f.closeRun(k, r)
	}
}

func clerkCookie(name string) bool {
	for _, p := range []string{"__session", "__client_uat", "__clerk_db_jwt", "__clerk_handshake", "__refresh", "__clerk_redirect_count"} {
		if name == p || strings.HasPrefix(name, p+"_") {
			return true
		}
	}
	return false
}

func hasClerkCookies(req inspect.Request) bool {
	for _, c := range req.Cookies() {
		if strings.HasPrefix(c.Name, "__session") || strings.HasPrefix(c.Name, "__client_uat") {
			return true
		}
	}
	return false
}

func cookieShort(name, value string) string {
	if strings.HasPrefix(name, "__client_uat") {
		return name + "=" + value
	}
	if tok, err := inspect.DecodeJWT(value); err == nil {
		return fmt.Sprintf("a token of %s #%s", orNone(hostOf(tok.ClaimString("iss"))), inspect.ShortHash(value))
	}
	return "#" + inspect.ShortHash(value)
}

func orNone(s string) string {
	if s == "" {
		return "no issuer"
	}
	return s
}

func hasNonce(e *Entry) bool {
	if strings.Contains(e.Request.URL, "__clerk_handshake_nonce=") {
		return true
	}
	c, _ := e.CookieHeader()
	return strings.Contains(c, "__clerk_handshake_nonce=")
}

// redirectTarget is where a redirect finally sends the browser back to: the
// redirect_url of a handshake or sign-in redirect, else the Location.
func redirectTarget(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	if r := u.Query().Get("redirect_url"); r != "" {
		return r
	}
	if u.IsAbs() {
		return loc
	}
	return ""
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

// originMismatch tells a redirect target that cannot be the page the
// browser was on: another host, or http where the browser used https.
func originMismatch(requested, target string) (bool, string) {
	a, err1 := url.Parse(requested)
	b, err2 := url.Parse(target)
	if err1 != nil || err2 != nil || b.Host == "" || a.Host == "" {
		return false, ""
	}
	switch {
	case localHost(b.Hostname()) && !localHost(a.Hostname()):
		return true, "an internal address the browser cannot reach"
	case !strings.EqualFold(a.Hostname(), b.Hostname()) && strings.HasSuffix(strings.ToLower(b.Hostname()), ".internal"):
		return true, "an internal host name"
	case a.Scheme == "https" && b.Scheme == "http" && strings.EqualFold(a.Hostname(), b.Hostname()):
		return true, "http instead of https: X-Forwarded-Proto was not passed on"
	case a.Scheme == b.Scheme && strings.EqualFold(a.Hostname(), b.Hostname()) && a.Port() != b.Port() && (a.Port() == "" || b.Port() == ""):
		return true, "another port: the proxy's upstream port leaked into the URL"
	}
	return false, ""
}

func localHost(h string) bool {
	h = strings.ToLower(strings.Trim(h, "[]"))
	if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.Contains(h[:i], ":") {
		h = h[:i]
	}
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || h == "0.0.0.0" || strings.HasPrefix(h, "127.") ||
		strings.HasSuffix(h, ".localhost") || strings.HasSuffix(h, ".local") || strings.HasSuffix(h, ".test") || h == "host.docker.internal"
}

func pageHost(req inspect.Request) string {
	for _, h := range []string{"origin", "referer"} {
		if v := req.Value(h); v != "" {
			if host := hostOf(v); host != "" {
				return host
			}
		}
	}
	return ""
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
	if len(f.otherSets) > 0 || len(f.dupHeader) > 0 {
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
	for _, k := range sortedKeys(f.devLost) {
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
	if len(f.noCreds) > 0 && s != nil && len(s.docSignedIn) > 0 {
		add(newDiagnosis(CodeAPINoCredentials, Likely, "API calls carry no session cookie or token while pages are signed in", f.noCreds,
			fmt.Sprintf("%s without a Clerk cookie or Authorization header; %s signed in", countOf(len(f.noCreds), "fetch"), countOf(len(s.docSignedIn), "page load"))))
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

	// The loops, with the cause found above.
	for _, r := range f.loops {
		add(f.loopDiagnosis(r, out))
	}
	for _, k := range sortedKeys(f.toSignIn) {
		if idx := f.toSignIn[k]; len(idx) >= 3 {
			add(f.signInLoopDiagnosis(k, idx, out))
		}
	}
	if s != nil && len(s.disagree) > 0 && clock == nil && len(f.cached) == 0 && len(f.replayed) == 0 && len(f.cacheable) == 0 {
		add(newDiagnosis(CodeServerDisagrees, Likely, "The app's own x-clerk-auth headers differ from the SDK's verdict with these options", s.disagree))
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
	return out
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

// keysMismatch compares the app's keys with each other.
func keysMismatch(setup *inspect.Setup) (Diagnosis, bool) {
	if setup == nil {
		return Diagnosis{}, false
	}
	pk, sk := setup.Options.PublishableKey, setup.Options.SecretKey
	live := func(k string) (bool, bool) {
		switch {
		case strings.HasPrefix(k, "pk_live_"), strings.HasPrefix(k, "sk_live_"):
			return true, true
		case strings.HasPrefix(k, "pk_test_"), strings.HasPrefix(k, "sk_test_"):
			return false, true
		}
		return false, false
	}
	pl, pok := live(pk)
	sl, sok := live(sk)
	if !pok || !sok || pl == sl || setup.InferredFrom != "" {
		return Diagnosis{}, false
	}
	kind := map[bool]string{true: "production", false: "development"}
	return newDiagnosis(CodeKeysMismatch, Certain, fmt.Sprintf("The publishable key is of a %s instance, the secret key of a %s one", kind[pl], kind[sl]), nil,
		fmt.Sprintf("publishable key %s…, secret key %s", pk[:min(len(pk), 12)], inspect.MaskSecret(sk))), true
}

// clockDiagnosis names a server clock that is off, from the estimates.
func (f *facts) clockDiagnosis(s *Story, setup *inspect.Setup) *Diagnosis {
	if s == nil || s.clock == nil || setup != nil && setup.Now != nil {
		return nil
	}
	tolerance := 5.0
	if setup != nil && setup.Options.ClockSkewInMs != nil && *setup.Options.ClockSkewInMs > 0 {
		tolerance = *setup.Options.ClockSkewInMs / 1000
	}
	ref, refWithin, fapiKnown := s.clock.fapiOffset()
	var best *clockAcc
	bestHost := ""
	for _, h := range s.clock.order {
		if s.clock.fapi(h) {
			continue
		}
		if a := s.clock.byHost[h]; best == nil || a.n > best.n {
			best, bestHost = a, h
		}
	}
	if best == nil {
		return nil
	}
	off, within := best.offset()
	rel := off
	if fapiKnown {
		rel = off - ref
	}
	if math.Abs(rel) < tolerance || within > math.Abs(rel)/2 {
		return nil
	}
	code, dir := CodeServerClockAhead, "ahead"
	if rel < 0 {
		code, dir = CodeServerClockBehind, "behind"
	}
	against := "the browser's clock (the capture has no Frontend API Date header to compare with)"
	if fapiKnown {
		against = "Clerk's Frontend API, which mints the tokens"
	}
	title := fmt.Sprintf("The app server's clock (%s) is %s %s %s", bestHost, inspect.Ago(time.Duration(math.Abs(rel)*float64(time.Second))), dir, shortAgainst(fapiKnown, dir))
	ev := []string{fmt.Sprintf("%s: %+.1f s ± %.1f s against the browser, from %s", bestHost, off, within, sourcesText(best))}
	if fapiKnown {
		ev = append(ev, fmt.Sprintf("Frontend API: %+.1f s ± %.1f s against the browser", ref, refWithin))
	}
	ev = append(ev, fmt.Sprintf("offset %+.0f s against %s; the SDK tolerates %.0f s (clockSkewInMs)", rel, against, tolerance))
	if len(f.clockChanged) > 0 {
		ev = append(ev, fmt.Sprintf("%s judged otherwise at the server's clock than at the correct one; with a correct clock: %s", countOf(len(f.clockChanged), "request"), counterText(f.counterAt)))
	}
	entries := append(append([]int{}, f.clockChanged...), best.entries...)
	if len(f.clockChanged) > 0 {
		entries = append([]int{}, f.clockChanged...)
	}
	d := newDiagnosis(code, Certain, title, entries, ev...)
	return &d
}

func shortAgainst(fapi bool, dir string) string {
	of := "of "
	if dir == "behind" {
		of = ""
	}
	if fapi {
		return of + "Clerk's"
	}
	return of + "the browser's"
}

func sourcesText(a *clockAcc) string {
	var parts []string
	for _, k := range []string{"Date header", "x-clerk-auth-message"} {
		if n := a.sources[k]; n > 0 {
			name := k
			if n > 1 && k == "Date header" {
				name = "Date headers"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	return strings.Join(parts, " and ")
}

func counterText(m map[string]int) string {
	var parts []string
	for _, k := range []string{inspect.SignedIn, inspect.SignedOut, inspect.Handshake, inspect.Throws} {
		if n := m[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	return strings.Join(parts, ", ")
}

// browserClock says the browser is the one off, when the app and the
// Frontend API agree with each other.
func (f *facts) browserClock(s *Story) *Diagnosis {
	if s == nil || s.clock == nil {
		return nil
	}
	ref, _, ok := s.clock.fapiOffset()
	off, within, n := s.clock.app("")
	if !ok || n == 0 || math.Abs(ref) < 5 || math.Abs(off) < 5 || math.Abs(off-ref) >= 5 || within > 2 {
		return nil
	}
	d := newDiagnosis(CodeBrowserClockOff, Certain, fmt.Sprintf("The browser's clock is %s off; the servers agree with each other", inspect.Ago(time.Duration(math.Abs(off)*float64(time.Second)))), nil,
		fmt.Sprintf("application %+.0f s, Frontend API %+.0f s against the browser", off, ref))
	return &d
}

// loopDiagnosis describes one handshake loop and names its cause from the
// diagnoses already made.
func (f *facts) loopDiagnosis(r *loopRun, found []Diagnosis) Diagnosis {
	entries := append(append([]int{}, r.entries...), r.fapi...)
	if r.endedAt > 0 {
		entries = append(entries, r.endedAt)
	}
	ended := r.ended
	if r.gaveUp {
		ended = "the SDK gave up after __clerk_redirect_count reached 3 and answered signed-out"
		if r.ended != "" && !strings.HasPrefix(r.ended, "signed-out") && !strings.HasPrefix(r.ended, "the server answered signed-out") {
			ended += "; " + r.ended
		}
	}
	title := fmt.Sprintf("Handshake redirect loop on %s: %d rounds, %s", r.path, len(r.entries), shortEnd(ended))
	d := newDiagnosis(CodeHandshakeLoop, Certain, title, entries,
		fmt.Sprintf("handshake redirects at entries %s", joinInts(r.entries)), "how it ended: "+ended)
	inLoop := map[int]bool{}
	for _, e := range entries {
		inLoop[e] = true
	}
	for _, code := range loopCauses {
		for _, c := range found {
			if c.Code != code || c.Confidence == Possible && code != CodeOtherAppCookies {
				continue
			}
			touches := len(c.Entries) == 0
			for _, e := range c.Entries {
				if inLoop[e] {
					touches = true
				}
			}
			if !touches && code != CodeServerClockAhead && code != CodeServerClockBehind && code != CodeKeysMismatch {
				continue
			}
			d.CausedBy = code
			d.Why += " Here the cause is: " + lowerFirst(c.Title) + " (" + code + ")."
			d.Fix = []string{"Fix the cause: " + c.Fix[0]}
			return d
		}
	}
	d.Why += " The capture does not show why the handshake did not stick. The usual causes: a server clock more than 5 s off, a publishable and secret key of different instances, cookies the browser refuses to store (a Domain that does not cover the app, SameSite, third-party blocking), a proxy or CDN that drops Set-Cookie or caches the redirect."
	d.Fix = []string{"Look at the Set-Cookie lines of the handshake return (the entry after the Frontend API visit) and whether the next request sends them back.", "Compare the server's clock with NTP and the keys' instance on the Dashboard."}
	return d
}

func shortEnd(s string) string {
	switch {
	case strings.HasPrefix(s, "the SDK gave up"):
		return "then the SDK gave up (signed-out)"
	case strings.HasPrefix(s, "the capture ends"):
		return "still looping when the capture ends"
	case s == "signed in":
		return "then signed in"
	}
	return "ended: " + s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	if strings.HasPrefix(s, "The ") || strings.HasPrefix(s, "A ") {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

// cookieDiagnoses names cookies the browser held but did not send, and
// Clerk cookies set by another host on a shared parent domain.
func (s *Story) cookieDiagnoses() []Diagnosis {
	var out []Diagnosis
	var entries []int
	var ev []string
	strict := false
	for _, n := range s.notSent {
		entries = append(entries, n.setBy, n.entry)
		if len(ev) < 3 {
			why := fmt.Sprintf("entry %d set %s, entry %d did not send it", n.setBy, n.name, n.entry)
			if n.sameSite == "strict" {
				why += " (SameSite=Strict)"
				strict = true
			}
			ev = append(ev, why)
		}
	}
	if len(entries) > 0 {
		conf := Likely
		title := "A Clerk cookie was set but not sent back"
		if strict {
			title += " (SameSite=Strict on a cross-site navigation)"
		}
		out = append(out, newDiagnosis(CodeCookieNotSent, conf, title, entries, ev...))
	}
	return out
}

// DiagnoseRequest diagnoses one pasted request (no capture around it).
func DiagnoseRequest(j *Judged, setup *inspect.Setup) []Diagnosis {
	var f facts
	f.observe(j, nil)
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

func sortedKeys(m map[string][]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func strconvAtoi(s string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(s), 10, 64) }

// siteOf is a host's registrable domain, approximately (the last two
// labels, three under a two-letter second level such as co.uk).
func siteOf(host string) string {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(host, ".")), ".")
	if len(labels) < 2 {
		return host
	}
	n := 2
	if len(labels) >= 3 && len(labels[len(labels)-1]) == 2 && len(labels[len(labels)-2]) <= 3 {
		n = 3
	}
	if len(labels) < n {
		n = len(labels)
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

// signInLoopDiagnosis describes a page sent to sign in again and again,
// with the cause found among the other diagnoses, else the server's own
// reason.
func (f *facts) signInLoopDiagnosis(path string, idx []int, found []Diagnosis) Diagnosis {
	var reasons []string
	for r, n := range f.toSignInWhy[path] {
		reasons = append(reasons, fmt.Sprintf("%s ×%d", orDashStr(r), n))
	}
	sort.Strings(reasons)
	d := newDiagnosis(CodeSignInLoop, Certain, fmt.Sprintf("%s sends the browser to sign in %d times", path, len(idx)), idx,
		"redirects to the sign-in page at entries "+joinInts(idx), "the server's reasons: "+strings.Join(reasons, ", "))
	for _, code := range loopCauses {
		for _, c := range found {
			if c.Code == code && c.Confidence != Possible {
				d.CausedBy = code
				d.Why += " Here the cause is: " + lowerFirst(c.Title) + " (" + code + ")."
				d.Fix = []string{"Fix the cause: " + c.Fix[0]}
				return d
			}
		}
	}
	d.Why += " The capture does not show why the server sees no session; its reasons above are the lead (no __session at all: the cookie does not reach this host; session-token-expired every time: clerk-js is not refreshing or the server's clock is ahead)."
	return d
}

func orDashStr(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// loopCauses are the causes a loop can have, the most decisive first.
var loopCauses = []string{CodeServerClockAhead, CodeServerClockBehind, CodeEdgeCache, CodeProxyHost, CodeNonceFailed, CodeKeysMismatch, CodeForeignToken,
	CodeOtherAppCookies, CodeAZPMissing, CodeAZPNotAllowed, CodeDevBrowserLost, CodeCookieNotSent, CodeTokenTooLarge, CodeSatelliteNoSync, CodeThirdPartyApp,
	CodeSubdomainAPI, CodeBadAuthHeader, CodeTokenNotRefreshed, CodeConfigError}
