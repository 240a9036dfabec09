package har

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/words"
)

// Severity of a finding.
const (
	SevInfo    = "info"
	SevWarning = "warning"
	SevError   = "error"
)

// Finding is one thing the capture shows, in plain English, with the
// entries involved and what to do next.
type Finding struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Title    string `json:"title"`
	Detail   string `json:"detail"`
	Entries  []int  `json:"entries"`
	Next     string `json:"next,omitempty"`
}

// TokenEvent is a session token seen for the first time.
type TokenEvent struct {
	Entry  int       `json:"entry"`
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
	Cookie string    `json:"cookie"`
	SID    string    `json:"sid,omitempty"`
	Sub    string    `json:"sub,omitempty"`
	Org    string    `json:"org,omitempty"`
	IAT    int64     `json:"iat,omitempty"`
	EXP    int64     `json:"exp,omitempty"`
	Hash   string    `json:"hash"`
	// Header and Claims are the decoded token (no signature).
	Header any `json:"header,omitempty"`
	Claims any `json:"claims,omitempty"`
}

// UATEvent is a change of __client_uat.
type UATEvent struct {
	Entry  int       `json:"entry"`
	Time   time.Time `json:"time"`
	Value  string    `json:"value"`
	Source string    `json:"source"`
}

// HandshakeChain follows one handshake: the redirect, the Frontend API
// visit, the return, and how it ended.
type HandshakeChain struct {
	Redirect int    `json:"redirect"`
	Reason   string `json:"reason"`
	URL      string `json:"url"`
	FAPI     int    `json:"fapi"`
	Return   int    `json:"return"`
	Outcome  string `json:"outcome"`
}

// Counts summarise the capture.
type Counts struct {
	Entries   int `json:"entries"`
	App       int `json:"application"`
	FAPI      int `json:"frontendApi"`
	SignedIn  int `json:"signedIn"`
	SignedOut int `json:"signedOut"`
	Handshake int `json:"handshake"`
	Throws    int `json:"throws"`
	// Webhooks counts the application entries that are webhook
	// deliveries (Entry.MaybeWebhook): they carry no cookies by nature.
	Webhooks int `json:"webhooks,omitempty"`
}

// Story is what happened to the Clerk session across a capture.
type Story struct {
	Log        Log              `json:"log"`
	FAPIHosts  []string         `json:"frontendApiHosts"`
	Counts     Counts           `json:"counts"`
	Tokens     []TokenEvent     `json:"tokens"`
	ClientUAT  []UATEvent       `json:"clientUat"`
	Handshakes []HandshakeChain `json:"handshakes"`
	Skew       []ServerClock    `json:"clockSkew,omitempty"`
	Findings   []Finding        `json:"findings"`
	Sanitized  bool             `json:"sanitized"`
	// Diagnosis is the root causes, problems first (explain --json puts
	// it at the top level).
	Diagnosis []Diagnosis `json:"-"`

	facts     facts
	setup     *inspect.Setup
	setters   map[string]map[string]int
	setterWhy map[string]string

	seenToken  map[string]bool
	lastUAT    string
	fapiHosts  map[string]bool
	sawSecrets bool
	open       []*HandshakeChain
	// clock is the analysis's, read once the capture is told (finish):
	// while it is, add gets each entry's reading of it (appClock).
	clock       *clockBook
	urls        *urlCache
	cached      *cachedMemo
	issuers     urlCache
	cookieMarks *cookieMarks
	disagree    entrySet
	throws      entryList
	badSig      entryList
	loops       []int
	hsByURL     map[string][]int
	docSignedIn entryList
	apiOut      entryList
	expiredAPI  entryList
	signOuts    []int
	foreign     entryList
	lastTime    time.Time
	firstErr    map[string]int
	signIns     []int
	lastDoc     inspect.Status
	setsAgree   entryList
	setsDiffer  entryList
	setRead     map[string]int
	devBoot     []int
	devInstance bool
	jar         Jar
	// issuerAhead is the largest lead of a token's iat over the time the
	// browser sent it, in seconds.
	issuerAhead   float64
	issuerAheadAt int
	notSent       []notSent
	dupes         entryList
	reported      map[reportKey]bool
	// told is the Cookie header tokens read last.
	told toldHeader
	// setNames are cookieSets's texts for the cookie set seen last.
	setNames setNames
	// sent is sentNames's header and names, not changed once made.
	sent struct {
		hdr   string
		names map[string]bool
	}
}

// notSent is a cookie the jar says the browser held but a request lacked.
type notSent struct {
	entry, setBy int
	name         string
	sameSite     string
}

func newStory() *Story {
	return &Story{seenToken: map[string]bool{}, fapiHosts: map[string]bool{}, hsByURL: map[string][]int{}, firstErr: map[string]int{}, setRead: map[string]int{}}
}

// add tells the story of one judged entry, in the capture's order; clk is
// the application server's clock when it was judged (storyItem).
func (s *Story) add(j *Judged, clk appClock) {
	e := j.Entry
	s.Counts.Entries++
	if j.Class.IsApp() {
		s.checkJar(j)
	}
	for _, line := range e.SetCookies() {
		s.jar.Apply(e.Request.URL, line, e.StartedDateTime, e.Index)
		if len(line) > 4096 {
			// RFC 6265 §6.1: browsers keep at least 4096 bytes per cookie
			// and, in practice, not more: this one is dropped.
			if name, _, _ := strings.Cut(line, "="); clerkCookie(strings.TrimSpace(name)) {
				s.facts.bigToken = appendCap(s.facts.bigToken, e.Index)
				s.facts.bigTokenWhy = fmt.Sprintf("entry %d sets %s in a %d-byte Set-Cookie line: browsers drop cookies over 4096 bytes", e.Index, strings.TrimSpace(name), len(line))
			}
		}
	}
	if e.Header("cookie") != "" || len(e.Request.Cookies) > 0 || e.Header("authorization") != "" ||
		len(e.ResponseHeaders("set-cookie")) > 0 || len(e.Response.Cookies) > 0 {
		s.sawSecrets = true
	}
	if !e.StartedDateTime.IsZero() {
		s.lastTime = e.StartedDateTime
	}
	defer s.facts.seen(e)
	s.facts.round(j)
	if j.Class.IsApp() {
		s.clerkSetters(j)
	}
	if j.Class == ClassFAPI {
		s.Counts.FAPI++
		if u, err := url.Parse(e.Request.URL); err == nil {
			s.fapiHosts[u.Host] = true
		}
		s.fapiEntry(j)
	} else {
		s.Counts.App++
		if e.MaybeWebhook() {
			s.Counts.Webhooks++
		}
	}
	s.tokens(j)
	if !j.Judged {
		return
	}
	v := j.Result.Verdict
	s.facts.observe(j, s, clk)
	s.cookieSets(j)
	if v.Instance.Type == inspect.Development {
		s.devInstance = true
		if isDoc(j.Class) && (v.Reason == inspect.DevBrowserMissing || v.Reason == inspect.DevBrowserSync) {
			s.devBoot = append(s.devBoot, e.Index)
		}
	}
	doc := isDoc(j.Class)
	defer func() {
		if doc {
			s.lastDoc = v.Status
		}
	}()
	switch v.Status {
	case inspect.SignedIn:
		s.Counts.SignedIn++
		if doc {
			s.docSignedIn.add(e.Index)
		}
	case inspect.SignedOut:
		s.Counts.SignedOut++
		refused := e.Response.Status == 401 || e.Response.Status == 403 || e.ResponseHeader("x-clerk-auth-status") != ""
		if j.Class == ClassFetch && s.lastDoc == inspect.SignedIn && (refused || j.ClerkRelevant()) {
			s.apiOut.add(e.Index)
			if strings.HasPrefix(v.Reason, inspect.SessionTokenExpired) {
				s.expiredAPI.add(e.Index)
			}
		}
		for _, l := range v.Logs {
			if strings.Contains(l, "infinite redirect loop") {
				s.loops = append(s.loops, e.Index)
			}
		}
	case inspect.Handshake:
		s.Counts.Handshake++
		if j.Class == ClassHandshakeRedirect && isReturn(e, s) {
			// The return of the last handshake started the next one.
			s.closeHandshake(e.Index, v)
		}
		s.Handshakes = append(s.Handshakes, HandshakeChain{Redirect: e.Index, Reason: v.Reason, URL: pathOf(e.Request.URL), FAPI: -1, Return: -1, Outcome: "no return in the capture"})
		s.open = append(s.open, &s.Handshakes[len(s.Handshakes)-1])
		key := pathOf(e.Request.URL)
		s.hsByURL[key] = append(s.hsByURL[key], e.Index)
	case inspect.Throws:
		s.Counts.Throws++
		s.throws.add(e.Index)
	}
	if v.Signature != nil && v.Signature.State == inspect.SigInvalid {
		s.badSig.add(e.Index)
	}
	if v.Reason == inspect.JWKKidMismatch || v.Reason == inspect.TokenInvalidSignature {
		s.foreign.add(e.Index)
	}
	if j.Observed.Agrees != nil && !*j.Observed.Agrees {
		s.disagree.add(e.Index)
	}
	if j.Class == ClassHandshakeReturn {
		s.closeHandshake(e.Index, v)
	}
}

// isReturn tells a request that carries a handshake's answer back.
func isReturn(e *Entry, s *Story) bool {
	c, _ := s.cookieHeader(e)
	return strings.Contains(e.Request.URL, "__clerk_handshake") || strings.Contains(c, "__clerk_handshake=") || strings.Contains(c, "__clerk_handshake_nonce=")
}

func isDoc(c Class) bool {
	return c == ClassDocument || c == ClassHandshakeReturn || c == ClassHandshakeRedirect
}

// chains hold pointers into s.Handshakes; re-point after appends.
func (s *Story) refreshOpen() {
	s.open = s.open[:0]
	for i := range s.Handshakes {
		if s.Handshakes[i].Return < 0 {
			s.open = append(s.open, &s.Handshakes[i])
		}
	}
}

// checkJar compares the Clerk cookies the browser should hold for this
// URL (from the Set-Cookie lines replayed so far) with what it sent.
func (s *Story) checkJar(j *Judged) {
	e := j.Entry
	if j.Class == ClassAsset {
		return
	}
	held := s.jar.session.matching(e.Request.URL, s.urls, e.StartedDateTime)
	if len(held) == 0 {
		return
	}
	hdr, _ := s.cookieHeader(e)
	if hdr == "" {
		// A request that sent no cookie at all was made without
		// credentials (or recorded without them): it says nothing about
		// one cookie being dropped.
		return
	}
	sent := s.sentNames(hdr)
	count := map[string]int{}
	for _, c := range held {
		if !isClerkSessionCookie(c.Name) {
			continue
		}
		count[c.Name]++
		if count[c.Name] == 2 {
			s.dupes.add(e.Index)
		}
		key := reportKey{c.Name, c.SetBy}
		if !sent[c.Name] && !s.reported[key] {
			if s.reported == nil {
				s.reported = map[reportKey]bool{}
			}
			s.reported[key] = true
			s.notSent = append(s.notSent, notSent{entry: e.Index, setBy: c.SetBy, name: c.Name, sameSite: c.SameSite})
		}
	}
}

// reportKey is a cookie the jar held but a request lacked, reported once
// per name and setting entry.
type reportKey struct {
	name  string
	setBy int
}

// sentNames is the names of the cookies a Cookie header sends, kept for
// the header seen last: most requests of a capture send the same one.
func (s *Story) sentNames(hdr string) map[string]bool {
	if s.sent.names == nil || s.sent.hdr != hdr {
		names := map[string]bool{}
		for _, c := range inspect.ParseCookieHeader(hdr) {
			names[c.Name] = true
		}
		s.sent.hdr, s.sent.names = hdr, names
	}
	return s.sent.names
}

// cookieSets compares the suffixed and un-suffixed copies of __session.
func (s *Story) cookieSets(j *Judged) {
	cs := j.Result.Verdict.CookieSet
	if cs == nil || cs.Suffix == "" {
		return
	}
	var plain, suffixed string
	suffixedName := s.setNames.name(cs.Suffix)
	for _, c := range j.Request.Cookies() {
		switch c.Name {
		case "__session":
			plain = c.Value
		case suffixedName:
			suffixed = c.Value
		}
	}
	if plain == "" || suffixed == "" {
		return
	}
	if plain == suffixed {
		s.setsAgree.add(j.Entry.Index)
	} else {
		s.setsDiffer.add(j.Entry.Index)
	}
	s.setRead[s.setNames.read(cs.Suffixed, cs.Rule)]++
}

// setNames keeps the texts cookieSets makes of the cookie set of the
// verdict before, which a capture repeats: the suffixed cookie's name and
// the set read's key.
type setNames struct {
	suffix, suffixed  string
	isSuffixed, keyed bool
	rule, key         string
}

// name is "__session_" + suffix.
func (n *setNames) name(suffix string) string {
	if n.suffixed == "" || n.suffix != suffix {
		n.suffix, n.suffixed = suffix, "__session_"+suffix
	}
	return n.suffixed
}

// read is the setRead key of a set read by rule.
func (n *setNames) read(suffixed bool, rule string) string {
	if !n.keyed || n.isSuffixed != suffixed || n.rule != rule {
		set := "un-suffixed"
		if suffixed {
			set = "suffixed"
		}
		n.isSuffixed, n.rule, n.key, n.keyed = suffixed, rule, set+" set (rule "+rule+")", true
	}
	return n.key
}

func (s *Story) fapiEntry(j *Judged) {
	if path := strings.SplitN(j.Entry.Request.URL, "?", 2)[0]; j.Entry.Request.Method == "POST" &&
		(strings.HasSuffix(path, "/v1/client/sign_ins") || strings.HasSuffix(path, "/v1/client/sign_ups") || strings.Contains(path, "/v1/client/sign_ins/")) {
		for _, l := range j.Entry.SetCookies() {
			sc := inspect.ParseSetCookie(l)
			if strings.HasPrefix(sc.Name, "__client_uat") && sc.Value != "" && sc.Value != "0" {
				s.signIns = append(s.signIns, j.Entry.Index)
				break
			}
		}
	}
	if !strings.Contains(j.Entry.Request.URL, "/v1/client/handshake") {
		if strings.Contains(j.Entry.Request.URL, "/sessions/") && strings.Contains(j.Entry.Request.URL, "/end") ||
			strings.Contains(j.Entry.Request.URL, "/v1/client/sessions") && j.Entry.Request.Method == "DELETE" || strings.HasSuffix(strings.SplitN(j.Entry.Request.URL, "?", 2)[0], "/v1/client") && j.Entry.Request.Method == "DELETE" {
			s.signOuts = append(s.signOuts, j.Entry.Index)
		}
		return
	}
	s.refreshOpen()
	for _, c := range s.open {
		if c.FAPI < 0 {
			c.FAPI = j.Entry.Index
			return
		}
	}
}

func (s *Story) closeHandshake(idx int, v *inspect.Verdict) {
	s.refreshOpen()
	for _, c := range s.open {
		if c.Return < 0 {
			c.Return = idx
			switch v.Status {
			case inspect.SignedIn:
				c.Outcome = "signed in"
			case inspect.Handshake:
				c.Outcome = "another handshake"
			case inspect.Throws:
				c.Outcome = "the middleware threw: " + words.FirstLine(v.Error)
			default:
				c.Outcome = string(v.Status) + " (" + v.Reason + ")"
			}
			return
		}
	}
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// tokens records new session tokens and __client_uat changes, from request
// cookies and from Set-Cookie lines.
func (s *Story) tokens(j *Judged) {
	e := j.Entry
	at := e.StartedDateTime
	if c, _ := s.cookieHeader(e); c != "" && !s.told.again(c, s.lastUAT) {
		cookies := inspect.ParseCookieHeader(c)
		for _, ck := range cookies {
			s.cookieSeen(e.Index, at, ck.Name, ck.Value, "request cookie")
		}
		s.told.note(c, cookies, s.lastUAT)
	}
	for _, line := range e.SetCookies() {
		sc := inspect.ParseSetCookie(line)
		src := "Set-Cookie"
		if j.Class == ClassFAPI {
			src = "Set-Cookie from the Frontend API"
		}
		if sc.Deletes(at) {
			if strings.HasPrefix(sc.Name, "__client_uat") {
				s.uat(e.Index, at, "(deleted)", src)
			}
			continue
		}
		s.cookieSeen(e.Index, at, sc.Name, sc.Value, src)
	}
}

// toldHeader is the Cookie header tokens read last, and whether reading
// it again would change nothing: its session tokens are seen once read,
// so it would not unless one of its __client_uat values differs from the
// one seen last (uat), which is then uat as it left it.
type toldHeader struct {
	hdr, uat string
	idle     bool
}

func (t *toldHeader) note(hdr string, cookies []inspect.Cookie, uat string) {
	t.hdr, t.uat, t.idle = hdr, uat, true
	for _, c := range cookies {
		if strings.HasPrefix(c.Name, "__client_uat") && c.Value != uat {
			t.idle = false
		}
	}
}

// again tells whether hdr is the header noted last, which reading again
// at uat would change nothing.
func (t *toldHeader) again(hdr, uat string) bool {
	return t.idle && t.uat == uat && t.hdr == hdr
}

func (s *Story) cookieSeen(idx int, at time.Time, name, value, src string) {
	switch {
	case name == "__session" || strings.HasPrefix(name, "__session_"):
		if value == "" || s.seenToken[value] {
			return
		}
		s.seenToken[value] = true
		t := TokenEvent{Entry: idx, Time: at, Source: src, Cookie: name, Hash: inspect.ShortHash(value)}
		if tok, err := inspect.DecodeJWT(value); err == nil {
			t.Header, t.Claims = tok.Header, tok.Payload
			t.SID, t.Sub = tok.ClaimString("sid"), tok.ClaimString("sub")
			if tm, ok := tok.ClaimTime("iat"); ok {
				t.IAT = tm.Unix()
				// A token issued after the browser sent it: the issuer's clock
				// (Frontend API) runs ahead of the browser's.
				if src == "request cookie" && !at.IsZero() {
					if d := tm.Sub(at).Seconds(); d > s.issuerAhead {
						s.issuerAhead = d
						s.issuerAheadAt = idx
					}
				}
			}
			if tm, ok := tok.ClaimTime("exp"); ok {
				t.EXP = tm.Unix()
			}
			if o, ok := tok.Claim("o").(map[string]any); ok {
				t.Org, _ = o["id"].(string)
			} else {
				t.Org = tok.ClaimString("org_id")
			}
		}
		s.Tokens = append(s.Tokens, t)
	case strings.HasPrefix(name, "__client_uat"):
		s.uat(idx, at, value, src)
	}
}

func (s *Story) uat(idx int, at time.Time, value, src string) {
	if value == s.lastUAT {
		return
	}
	s.lastUAT = value
	s.ClientUAT = append(s.ClientUAT, UATEvent{Entry: idx, Time: at, Value: value, Source: src})
}

func (s *Story) finish(log Log) {
	s.Log = log
	for h := range s.fapiHosts {
		s.FAPIHosts = append(s.FAPIHosts, h)
	}
	sort.Strings(s.FAPIHosts)
	if s.clock != nil {
		s.Skew = s.clock.report()
	}
	s.facts.endRounds()
	s.uatDrops()
	s.otherSetters()
	s.Diagnosis = s.facts.diagnose(s, s.setup)
	s.findings()
	s.alignFindings()
}

func (s *Story) add1(f Finding) { s.Findings = append(s.Findings, f) }

func limit(idx []int) []int {
	if len(idx) > maxEntries {
		return idx[:maxEntries]
	}
	return idx
}

func (s *Story) findings() {
	// Webhook deliveries never carry cookies: only the browser's own
	// requests tell a sanitized export.
	if s.Counts.App > s.Counts.Webhooks && !s.sawSecrets {
		s.Sanitized = true
		s.add1(Finding{Severity: SevError, Code: "sanitized-export",
			Title:  "The capture was exported without cookies (a sanitized HAR)",
			Detail: "No request carries a Cookie or Authorization header and no response a Set-Cookie: the browser stripped them on export. Every verdict below sees a browser with no Clerk cookies, which is not what happened.",
			Next:   "Export again with sensitive data. Chrome/Edge: DevTools → Settings (gear) → Preferences → Network → tick \"Allow to generate HAR with sensitive data\"; then in the Network panel use the Export HAR button's menu → \"Export HAR (with sensitive data)…\". Firefox and Safari include cookies in \"Save All As HAR\". Share it privately: it contains live session tokens."})
	}
	if s.throws.n > 0 {
		s.add1(Finding{Severity: SevError, Code: "middleware-throws", Title: "The middleware would throw on its configuration (HTTP 500)",
			Detail: fmt.Sprintf("%d request(s) make authenticateRequest throw: a configuration error, not a session problem.", s.throws.n), Entries: s.throws.first,
			Next: "Open one of them to read the exact error (publishable or secret key, satellite options, handshake signed by another instance's key)."})
	}
	if s.foreign.n > 0 {
		s.add1(Finding{Severity: SevError, Code: "token-from-another-instance", Title: "Session tokens do not belong to the configured instance",
			Detail: "The signature or key id of the session token does not match the instance's keys: the token was minted by another Clerk instance (development vs production, or another app on the same domain).", Entries: s.foreign.first,
			Next: "Compare the token's iss with the publishable key; check that the publishable and secret keys come from the same instance."})
	} else if s.badSig.n > 0 {
		s.add1(Finding{Severity: SevError, Code: "invalid-signature", Title: "Some tokens fail signature verification", Entries: s.badSig.first,
			Detail: "The tokens do not verify with the given key.", Next: "Check the key given to clerkscope (--jwt-key) and the instance the token came from."})
	}
	loopEntries := append([]int(nil), s.loops...)
	var loopURLs []string
	for u, idx := range s.hsByURL {
		if len(idx) >= 3 {
			loopEntries = append(loopEntries, idx...)
			loopURLs = append(loopURLs, u)
		}
	}
	if len(loopEntries) > 0 {
		sort.Ints(loopEntries)
		detail := "The SDK kept redirecting to the Frontend API and never got a usable session back."
		if len(loopURLs) > 0 {
			sort.Strings(loopURLs)
			detail += " Repeated handshakes for: " + strings.Join(loopURLs, ", ") + "."
		}
		if len(s.loops) > 0 {
			detail += " __clerk_redirect_count reached 3, so the SDK gave up and answered signed-out."
		}
		s.add1(Finding{Severity: SevError, Code: "handshake-loop", Title: "Handshake redirect loop", Detail: detail, Entries: limit(loopEntries),
			Next: "Usual causes: publishable and secret keys from different instances; cookies the browser refuses to store (Domain, SameSite, third-party blocking); a proxy that drops Set-Cookie; a server clock far off. Look at the Set-Cookie lines of the handshake return."})
	}
	for _, c := range s.Handshakes {
		entries := []int{c.Redirect}
		if c.FAPI >= 0 {
			entries = append(entries, c.FAPI)
		}
		if c.Return >= 0 {
			entries = append(entries, c.Return)
		}
		f := Finding{Code: "handshake", Entries: entries}
		switch {
		case c.Outcome == "signed in":
			f.Severity = SevInfo
			f.Title = "Handshake refreshed the session (" + c.Reason + ")"
			f.Detail = fmt.Sprintf("Entry %d redirected to the Frontend API because of %s; the browser came back and entry %d was signed in. This is the SDK working as designed.", c.Redirect, c.Reason, c.Return)
			if strings.HasPrefix(c.Reason, inspect.SessionTokenExpired) {
				f.Detail = fmt.Sprintf("The session token had expired (for example while the tab was closed). Entry %d redirected to the Frontend API, and entry %d came back signed in with a fresh token. No problem.", c.Redirect, c.Return)
			}
		case c.Return < 0:
			f.Severity = SevWarning
			f.Title = "Handshake without a return (" + c.Reason + ")"
			f.Detail = fmt.Sprintf("Entry %d redirected to the Frontend API, but the capture has no request coming back to %s.", c.Redirect, c.URL)
			f.Next = "The capture may have stopped early; otherwise the Frontend API did not redirect back (check its response, and that the redirect_url is allowed)."
		case c.Reason == inspect.DevBrowserMissing || c.Reason == inspect.DevBrowserSync || c.Reason == inspect.SatelliteCookieNeedsSyncing:
			f.Severity = SevInfo
			f.Title = "Handshake (" + c.Reason + ") ended " + c.Outcome
			f.Detail = fmt.Sprintf("Entry %d redirected to set up the browser (%s); the return (entry %d) ended %s: this browser has no signed-in session yet, which is normal before signing in.", c.Redirect, c.Reason, c.Return, c.Outcome)
		default:
			f.Severity = SevWarning
			f.Title = "Handshake ended " + c.Outcome
			f.Detail = fmt.Sprintf("Entry %d redirected because of %s; the return (entry %d) ended %s.", c.Redirect, c.Reason, c.Return, c.Outcome)
			f.Next = "If the user expected to be signed in, check the handshake's Set-Cookie directives and whether the session was ended or revoked."
		}
		s.add1(f)
	}
	if len(s.signIns) > 0 {
		s.add1(Finding{Severity: SevInfo, Code: "signed-in", Title: "The user signed in", Entries: limit(s.signIns),
			Detail: "The Frontend API accepted a sign-in and set __client_uat; clerk-js then wrote the session token as __session."})
	}
	if s.setsDiffer.n > 0 {
		s.add1(Finding{Severity: SevWarning, Code: "cookie-sets", Title: "The suffixed and un-suffixed session cookies differ", Entries: s.setsDiffer.first,
			Detail: "Two Clerk apps (or two keys) share this cookie domain, or one copy is stale. " + setReadText(s.setRead),
			Next:   "Check the token's iss in each copy: the SDK uses the copy issued by this instance."})
	} else if s.setsAgree.n > 0 {
		s.add1(Finding{Severity: SevInfo, Code: "cookie-sets", Title: "The suffixed and un-suffixed session cookies agree", Entries: s.setsAgree.first,
			Detail: "Both copies hold the same token. " + setReadText(s.setRead)})
	}
	if len(s.devBoot) > 0 {
		s.add1(Finding{Severity: SevInfo, Code: "dev-browser", Title: "Development instance: the dev browser was set up", Entries: limit(s.devBoot),
			Detail: "A development instance identifies the browser with a dev browser token (__clerk_db_jwt). The first visit had none, so the SDK handshaked to create one. This is the normal bootstrap."})
	}
	for _, n := range s.notSent {
		why := "the browser refused or dropped it (a Secure cookie over http, a third-party-cookie block, a Path or Domain that does not cover this URL), or clerk-js removed it"
		if n.sameSite == "strict" {
			why = "it is SameSite=Strict, so a navigation coming from another site does not carry it; otherwise the browser dropped it or clerk-js removed it"
		}
		s.add1(Finding{Severity: SevWarning, Code: "cookie-not-sent", Title: fmt.Sprintf("%s was set but not sent", n.name), Entries: []int{n.setBy, n.entry},
			Detail: fmt.Sprintf("Entry %d set %s for this URL, yet entry %d did not send it: %s.", n.setBy, n.name, n.entry, why),
			Next:   "Compare the Set-Cookie attributes of that entry (Domain, Path, Secure, SameSite) with the URL of the request that lacked it."})
	}
	if s.dupes.n > 0 {
		s.add1(Finding{Severity: SevWarning, Code: "duplicate-cookies", Title: "The browser holds two copies of a Clerk cookie for the same URL", Entries: s.dupes.first,
			Detail: "Two cookies of the same name (different Path or Domain) both apply; the browser sends both and the SDK reads the first, the most specific path.",
			Next:   "Delete the stray copy (often a __session set on a sub-path or a parent domain by an older deployment)."})
	}
	if len(s.signOuts) > 0 {
		s.add1(Finding{Severity: SevInfo, Code: "sign-out", Title: "The user signed out", Entries: limit(s.signOuts),
			Detail: "The Frontend API ended the session; __client_uat became 0. Requests after this are signed out because the user really is."})
	}
	if s.disagree.n > 0 {
		s.add1(Finding{Severity: SevWarning, Code: "server-disagrees", Title: "The server's own x-clerk-auth headers differ from clerkscope's verdict", Entries: s.disagree.first(nil),
			Detail: "The captured responses carry x-clerk-auth-status/reason that are not what @clerk/backend 3.25.0 decides with the options clerkscope was given.",
			Next:   "Give clerkscope the app's real options (--config with the middleware options, the right publishable key and jwtKey); a different SDK version or server clock can also explain it."})
	}
	if s.apiOut.n > 0 && s.docSignedIn.n > 0 {
		s.add1(Finding{Severity: SevWarning, Code: "api-signed-out-while-pages-work", Title: "API calls are signed out while page loads are signed in", Entries: s.apiOut.first,
			Detail: fmt.Sprintf("%d fetch/XHR request(s) are judged signed-out, yet %d page load(s) are signed in. Fetches cannot be redirected to refresh the session, so a stale or missing token there means 401.", s.apiOut.n, s.docSignedIn.n),
			Next:   "Check whether those calls send cookies (credentials: 'include' across origins, the cookie's Domain) or a fresh Authorization token (await getToken() before each call)."})
	}
	if s.expiredAPI.n > 0 {
		s.add1(Finding{Severity: SevWarning, Code: "expired-token-on-api", Title: "API calls carry expired session tokens", Entries: s.expiredAPI.first,
			Detail: "clerk-js refreshes the token about every minute while the tab is active; requests sent after a pause carry an expired token and are not redirected.",
			Next:   "Call getToken() right before the request, or retry once after a 401."})
	}
	for _, sk := range s.Skew {
		if math.Abs(sk.Seconds) >= 5 {
			s.add1(Finding{Severity: SevWarning, Code: "clock-skew", Title: fmt.Sprintf("The %s clock is %+.0f s off the browser's", sk.Server, sk.Seconds),
				Detail: fmt.Sprintf("Estimated from %d Date header(s). Clerk tolerates 5 s (clockSkewInMs); beyond that, fresh tokens look not-yet-valid or expired.", sk.Samples),
				Next:   "Synchronise the server's clock (NTP); if the browser's clock is the one off, tokens still work since the server compares with its own clock."})
		}
	}
	if s.issuerAhead >= 5 {
		s.add1(Finding{Severity: SevWarning, Code: "clock-skew", Title: fmt.Sprintf("A session token was issued %.0f s after the browser sent it", s.issuerAhead),
			Entries: []int{s.issuerAheadAt},
			Detail:  "The Frontend API's clock (which sets iat) is ahead of the browser's. If the app server's clock agrees with the browser, it sees fresh tokens as issued in the future (session-token-iat-in-the-future) beyond the 5 s of clockSkewInMs.",
			Next:    "Compare the servers' clocks with NTP time; raise clockSkewInMs only as a stopgap."})
	}
	if s.Counts.App > 0 && s.Counts.SignedOut == 0 && s.Counts.Handshake == 0 && s.Counts.Throws == 0 && !s.Sanitized {
		s.add1(Finding{Severity: SevInfo, Code: "signed-in-throughout", Title: "Signed in throughout",
			Detail: "Every application request in the capture is signed in."})
	}
	sort.SliceStable(s.Findings, func(a, b int) bool { return sevRank(s.Findings[a].Severity) > sevRank(s.Findings[b].Severity) })
}

func setReadText(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("the %s on %d request(s)", k, n))
	}
	sort.Strings(parts)
	return "The SDK reads " + strings.Join(parts, ", ") + "."
}

func sevRank(s string) int {
	switch s {
	case SevError:
		return 2
	case SevWarning:
		return 1
	}
	return 0
}

// clerkSetters records which application hosts set Clerk cookies on a
// shared parent domain (Domain=…): two hosts doing so are two apps.
func (s *Story) clerkSetters(j *Judged) {
	host := s.urls.host(j.Entry.Request.URL)
	for _, line := range j.Entry.SetCookies() {
		sc := inspect.ParseSetCookie(line)
		if sc.Domain == "" || !clerkCookie(sc.Name) {
			continue
		}
		if s.setters == nil {
			s.setters, s.setterWhy = map[string]map[string]int{}, map[string]string{}
		}
		key := strings.TrimPrefix(strings.ToLower(sc.Domain), ".") + " " + baseName(sc.Name)
		if s.setters[key] == nil {
			s.setters[key] = map[string]int{}
		}
		if _, ok := s.setters[key][host]; !ok {
			s.setters[key][host] = j.Entry.Index
			if len(s.setters[key]) == 2 {
				s.setterWhy[key] = fmt.Sprintf("%s is set on Domain=%s by two hosts: ", baseName(sc.Name), sc.Domain)
			}
		}
	}
}

func baseName(name string) string {
	for _, p := range []string{inspect.CookieSession, inspect.CookieClientUAT, inspect.CookieDevBrowser, inspect.CookieHandshake} {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return name
}

func (s *Story) otherSetters() {
	for _, k := range slices.Sorted(maps.Keys(s.setters)) {
		hosts := s.setters[k]
		if len(hosts) < 2 {
			continue
		}
		var parts []string
		for h, idx := range hosts {
			parts = append(parts, fmt.Sprintf("%s (entry %d)", h, idx))
			s.facts.otherSets = appendCap(s.facts.otherSets, idx)
		}
		sort.Strings(parts)
		s.facts.otherSetWhy = strings.TrimSpace(s.facts.otherSetWhy + " " + s.setterWhy[k] + strings.Join(parts, " and ") + ".")
	}
}

// uatDrops finds __client_uat turning to 0 in the browser with no sign-out
// in the capture: the session ended elsewhere.
func (s *Story) uatDrops() {
	if len(s.signOuts) > 0 {
		return
	}
	prev := ""
	for _, u := range s.ClientUAT {
		if u.Source == "request cookie" && u.Value == "0" && prev != "" && prev != "0" && prev != "(deleted)" {
			s.facts.uatDrop = appendCap(s.facts.uatDrop, u.Entry)
		}
		prev = u.Value
	}
}

// alignFindings keeps the findings in line with the diagnosis: a
// handshake inside a loop is not reported on its own ("refreshed … no
// problem", "ended signed-out"), and the loop names its cause.
func (s *Story) alignFindings() {
	inLoop := map[int]bool{}
	var cause *Diagnosis
	problem, clocked := false, false
	for _, d := range s.Diagnosis {
		problem = problem || d.Problem
		switch d.Code {
		case CodeServerClockAhead, CodeServerClockBehind, CodeBrowserClockOff:
			clocked = true
		case CodeHandshakeLoop:
			for _, e := range d.Entries {
				inLoop[e] = true
			}
			if d.CausedBy != "" && cause == nil {
				cause = findDiagnosis(s.Diagnosis, d.CausedBy)
			}
		}
	}
	kept := s.Findings[:0]
	for _, f := range s.Findings {
		if f.Code == "handshake" && len(f.Entries) > 0 && inLoop[f.Entries[0]] {
			continue
		}
		if f.Code == "signed-in-throughout" && problem {
			continue
		}
		// A clock diagnosis has measured which machine is off, from the
		// SDK's own clock as well as Date headers; the finding's guess
		// ("if the browser's clock is the one off…") would only repeat
		// it less precisely.
		if f.Code == "clock-skew" && clocked {
			continue
		}
		if f.Code == "handshake-loop" && cause != nil {
			f.Next = "The cause (see the diagnosis): " + cause.Title + ". " + cause.Fix[0]
		}
		kept = append(kept, f)
	}
	s.Findings = kept
}

func findDiagnosis(ds []Diagnosis, code string) *Diagnosis {
	for i := range ds {
		if ds[i].Code == code {
			return &ds[i]
		}
	}
	return nil
}
