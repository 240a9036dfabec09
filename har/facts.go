package har

import (
	"fmt"
	"maps"
	"math/bits"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/words"
)

// facts are what the diagnosis needs from each judged request, gathered as
// the capture streams (bounded: entry lists keep their first 50).
type facts struct {
	n int

	clockJudged  []int
	clockChanged []int
	counterOK    int
	counterAt    map[inspect.Status]int

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
	// foreignCookie: requests whose only session cookies are another
	// instance's.
	foreignCookie    []int
	foreignCookieWhy string
	keyWrong         []int
	keyWrongBy       string

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
	timeAhead []int
	// saidKeys / saidAZP: the server refused for keys or azp what the
	// options clerkscope was given accept.
	saidKeys    []int
	saidKeysWhy string
	saidAZP     []int
	saidAZPWhy  string
	timeBehind  []int
	rounds      map[string]*loopRun
	loops       []*loopRun
	lastSeen    time.Time
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

// replay tells whether the response of j, an answer of the SDK's that
// no cache marked (cached: an Age, a cache status), was served again: it
// carries the response id of an earlier entry, or the SDK's own clock in
// its x-clerk-auth-message shows it was made long before the browser
// asked (clk is the application server's clock when j was judged). It
// notes the entry and why; a marked response only has its id noted.
func (f *facts) replay(j *Judged, idx int, cached bool, clk appClock) bool {
	e := j.Entry
	if id := e.ResponseHeader("x-request-id") + e.ResponseHeader("x-vercel-id"); id != "" {
		// The same response id twice: the second is a copy of the first.
		if f.requestIDs == nil {
			f.requestIDs = map[string]int{}
		}
		if first, ok := f.requestIDs[id]; ok && !cached {
			f.replayed = appendCap(f.replayed, idx)
			if len(f.replayedWhy) < 3 {
				f.replayedWhy = append(f.replayedWhy, fmt.Sprintf("entry %d carries the response id of entry %d (%s): the same response, served again", idx, first, id))
			}
			return true
		} else if !ok && len(f.requestIDs) < 10000 {
			f.requestIDs[id] = idx
		}
	}
	if cached || !clk.ok || clk.n < 2 || e.StartedDateTime.IsZero() {
		return false
	}
	t, ok := sdkClock(e.ResponseHeader("x-clerk-auth-message"))
	if !ok {
		return false
	}
	// The SDK printed its clock, to the second, while it judged; made for
	// this request, that is while the request was in flight, at the
	// server's clock: startedDateTime moved by the server's offset.
	lag := e.StartedDateTime.Sub(t).Seconds() + clk.off
	if lag <= 10+clk.within {
		return false
	}
	f.replayed = appendCap(f.replayed, idx)
	if len(f.replayedWhy) < 3 {
		f.replayedWhy = append(f.replayedWhy, fmt.Sprintf("entry %d (%s %s): the SDK's x-clerk-auth-message says it judged at %s UTC, %s before the browser sent this request (the app server's clock, %+.1f s from the browser's, taken into account): a response made for an earlier request, served again by a cache that adds no header of its own (a reverse proxy's cache, a service worker)",
			idx, j.Class, pathOf(e.Request.URL), t.UTC().Format("15:04:05"), inspect.Ago(time.Duration(lag*float64(time.Second))), clk.off))
	}
	return true
}

// maxEntries is how many entries a finding or a diagnosis names: the
// first ones; a count says how many there are in all.
const maxEntries = 50

// entryList is the entries of a kind a capture holds: how many, and the
// first maxEntries of them, all that is shown of them, so the story's
// memory does not grow with the capture (TestStoryMemoryBounded).
type entryList struct {
	n     int
	first []int
}

func (l *entryList) add(i int) {
	l.n++
	l.first = appendCap(l.first, i)
}

// entrySet is a set of entries kept whole, a bit each, for a question
// asked of every one of them at the end (which no other cause explains):
// an eighth of a byte per entry of the capture, not eight.
type entrySet struct {
	bits []uint64
	n    int
}

func (s *entrySet) add(i int) {
	w := i / 64
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
	}
	if bit := uint64(1) << (i % 64); s.bits[w]&bit == 0 {
		s.bits[w] |= bit
		s.n++
	}
}

// first is the first maxEntries entries of the set, in order, of those
// keep accepts (all of them if keep is nil).
func (s *entrySet) first(keep func(int) bool) []int {
	var out []int
	for w, word := range s.bits {
		for word != 0 {
			e := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			if keep == nil || keep(e) {
				if out = append(out, e); len(out) == maxEntries {
					return out
				}
			}
		}
	}
	return out
}

// appendCap appends x to a unless a already holds maxEntries.
func appendCap(a []int, x int) []int {
	if len(a) >= maxEntries {
		return a
	}
	return append(a, x)
}

// clerkFirsts is the first value of each Clerk cookie of a Cookie header:
// a header carries a handful, looked up in place; a map takes over past
// clerkFirstsInline of them.
type clerkFirsts struct {
	inline [clerkFirstsInline]struct{ name, value string }
	n      int
	more   map[string]string
}

const clerkFirstsInline = 16

func (c *clerkFirsts) get(name string) (string, bool) {
	if c.more != nil {
		v, ok := c.more[name]
		return v, ok
	}
	for _, x := range c.inline[:c.n] {
		if x.name == name {
			return x.value, true
		}
	}
	return "", false
}

func (c *clerkFirsts) put(name, value string) {
	if c.more == nil && c.n < len(c.inline) {
		c.inline[c.n].name, c.inline[c.n].value = name, value
		c.n++
		return
	}
	if c.more == nil {
		c.more = make(map[string]string, 2*len(c.inline))
		for _, x := range c.inline[:c.n] {
			c.more[x.name] = x.value
		}
	}
	c.more[name] = value
}

// observe gathers the facts of one judged application request; clk is the
// application server's clock as the analysis knew it when j was judged
// (none for a request judged outside a capture).
func (f *facts) observe(j *Judged, s *Story, clk appClock) {
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
				f.counterAt = map[inspect.Status]int{}
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
		f.staleThen = strings.TrimSpace(string(v.Status) + " " + v.Reason)
		if o := j.Result.Otherwise; o != nil {
			f.staleToday = "judged today instead: " + strings.TrimSpace(string(o.Status)+" "+o.Reason) + " (" + o.Summary + ")"
			f.staleTodayShort = string(o.Status)
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
		if host := s.issuerHost(iss); host != "" && v.Instance.FrontendAPI != "" && !strings.EqualFold(host, v.Instance.FrontendAPI) && !v.Instance.IsSatellite && v.Instance.ProxyURL == "" {
			f.foreign = appendCap(f.foreign, idx)
			f.foreignWhy = fmt.Sprintf("the token's iss is %s; the app's instance is %s", iss, v.Instance.FrontendAPI)
		}
	}
	switch v.Reason {
	case inspect.JWKKidMismatch, inspect.TokenInvalidSignature, inspect.JWKRemoteMissing:
		if len(f.foreign) == 0 || f.foreign[len(f.foreign)-1] != idx {
			f.keyWrong = appendCap(f.keyWrong, idx)
			f.keyWrongBy = v.Reason + ": " + words.FirstLine(v.Message)
		}
	case inspect.TokenInvalidAuthorizedParties:
		if v.Token != nil && v.Token.ClaimString("azp") == "" {
			f.azpMissing = appendCap(f.azpMissing, idx)
		} else {
			f.azpBad = appendCap(f.azpBad, idx)
		}
		f.azpWhy = words.FirstLine(v.Message)
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
		f.keyWrongBy = words.FirstLine(v.Error)
	}
	if v.Status == inspect.Throws {
		f.throws = appendCap(f.throws, idx)
		if f.throwText == "" {
			f.throwText = words.FirstLine(v.Error)
		}
	}

	// Two copies of a Clerk cookie in one Cookie header.
	cookies := req.Cookies()
	var firsts clerkFirsts
	for _, c := range cookies {
		if !clerkCookie(c.Name) {
			continue
		}
		if prev, ok := firsts.get(c.Name); ok {
			if prev != c.Value && f.dupWhy == "" || prev != c.Value && !strings.Contains(f.dupWhy, c.Name+" ") {
				f.dupWhy = strings.TrimSpace(f.dupWhy + fmt.Sprintf(" %s is sent twice (%s first, then %s); the SDK reads the first.", c.Name, cookieShort(c.Name, prev), cookieShort(c.Name, c.Value)))
			}
			if prev != c.Value {
				f.dupHeader = appendCap(f.dupHeader, idx)
			}
			continue
		}
		firsts.put(c.Name, c.Value)
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
	// Session cookies of another instance, where this app's are missing.
	if v.Status != inspect.SignedIn && v.Instance.FrontendAPI != "" && !v.Instance.IsSatellite && v.Instance.ProxyURL == "" && (v.Token == nil || len(f.foreign) == 0 || f.foreign[len(f.foreign)-1] != idx) {
		for _, c := range cookies {
			if !strings.HasPrefix(c.Name, "__session") {
				continue
			}
			if tok, err := inspect.DecodeJWT(c.Value); err == nil {
				if host := s.issuerHost(tok.ClaimString("iss")); host != "" && !strings.EqualFold(host, v.Instance.FrontendAPI) {
					f.foreignCookie = appendCap(f.foreignCookie, idx)
					f.foreignCookieWhy = fmt.Sprintf("entry %d carries %s issued by %s, another instance than the app's (%s); the SDK does not use it", idx, c.Name, host, v.Instance.FrontendAPI)
					break
				}
			}
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
	host := s.urlCache().host(e.Request.URL)
	cached, why := s.cachedOf(e)
	authResponse := j.Class == ClassHandshakeRedirect || s.clerkHeaders(e)
	// A response served again was made for another request: what it says
	// is no answer to this one.
	replayed := authResponse && f.replay(j, idx, cached, clk)
	if said := e.ResponseHeader("x-clerk-auth-reason"); said != "" && said != v.Reason && j.Result.Clock == nil {
		if !cached && !replayed {
			switch {
			case said == inspect.TokenInvalidSignature || said == inspect.JWKKidMismatch || said == inspect.JWKRemoteMissing:
				// The app refuses tokens the key clerkscope was given accepts.
				f.saidKeys = appendCap(f.saidKeys, idx)
				f.saidKeysWhy = fmt.Sprintf("the server answered %s where the token verifies with the key clerkscope was given (entry %d)", said, idx)
			case said == inspect.TokenInvalidAuthorizedParties:
				f.saidAZP = appendCap(f.saidAZP, idx)
				azp := ""
				if v.Token != nil {
					azp = v.Token.ClaimString("azp")
				}
				f.saidAZPWhy = fmt.Sprintf("the server refused the token's azp %q (entry %d): the app's authorizedParties does not list it", azp, idx)
			case strings.HasPrefix(said, inspect.SessionTokenExpired) && !strings.HasPrefix(v.Reason, inspect.SessionTokenExpired):
				f.timeAhead = appendCap(f.timeAhead, idx)
			case said == inspect.SessionTokenNBF || said == inspect.SessionTokenIatInTheFuture:
				f.timeBehind = appendCap(f.timeBehind, idx)
			}
		}
	}
	if s.clerkHeaders(e) {
		if f.withHeaders == nil {
			f.withHeaders = map[string]int{}
		}
		f.withHeaders[host]++
	}
	if r := e.ResponseHeader("x-clerk-auth-reason"); r == "protect-rewrite" {
		f.rewrite = appendCap(f.rewrite, idx)
	}
	if cached && (authResponse || isDoc(j.Class)) {
		f.cached = appendCap(f.cached, idx)
		if len(f.cachedWhy) < 4 {
			f.cachedWhy = append(f.cachedWhy, fmt.Sprintf("entry %d (%s %s): %s", idx, j.Class, pathOf(e.Request.URL), why))
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
	if hasNonce(e, s) && v.Status != inspect.SignedIn {
		f.nonceFailed = appendCap(f.nonceFailed, idx)
		if f.nonceWhy == "" {
			for _, c := range v.BAPICalls {
				if strings.Contains(c.Path, "handshake_payload") {
					f.nonceWhy = fmt.Sprintf("entry %d: %s %s → %s", idx, c.Method, c.Path, c.Answered)
				}
			}
			for _, l := range v.Logs {
				if strings.Contains(l, "handshake") && f.nonceWhy != "" && !strings.Contains(f.nonceWhy, "SDK log") {
					f.nonceWhy += "; SDK log: " + words.FirstLine(l)
				}
			}
		}
	}
	// A satellite and its primary sending the browser back and forth.
	if loc := e.ResponseHeader("location"); strings.Contains(e.Request.URL, "__clerk_synced=") || strings.Contains(loc, "__clerk_synced=") || strings.Contains(loc, "__clerk_redirect_url=") {
		f.synced = appendCap(f.synced, idx)
	}

	// Routes the middleware did not run on.
	if j.Class != ClassAsset && (v.Status == inspect.SignedOut || v.Status == inspect.Handshake) && !s.clerkHeaders(e) && !cached &&
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
		r.ended = string(v.Status) + " (" + v.Reason + ")"
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
	for _, k := range slices.Sorted(maps.Keys(f.rounds)) {
		r := f.rounds[k]
		r.ended = "the capture ends in the middle of it"
		f.closeRun(k, r)
	}
}

func clerkCookie(name string) bool {
	for _, p := range clerkCookieNames {
		// name is p, or p followed by "_" and a suffix.
		if strings.HasPrefix(name, p) && (len(name) == len(p) || name[len(p)] == '_') {
			return true
		}
	}
	return false
}

var clerkCookieNames = [...]string{inspect.CookieSession, inspect.CookieClientUAT, inspect.CookieDevBrowser, inspect.CookieHandshake, inspect.CookieRefresh, inspect.CookieRedirectCount}

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
		return fmt.Sprintf("a token of %s #%s", words.Or(hostOf(tok.ClaimString("iss")), "no issuer"), inspect.ShortHash(value))
	}
	return "#" + inspect.ShortHash(value)
}

func hasNonce(e *Entry, s *Story) bool {
	if strings.Contains(e.Request.URL, markNonce) {
		return true
	}
	c, _ := s.cookieHeader(e)
	marks := s.marks()
	_, nonce := marks.of(c)
	return nonce
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
