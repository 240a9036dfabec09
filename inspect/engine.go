package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"clerkscope/inspect/internal/js"
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
	// Context bounds key fetches.
	Context context.Context
}

// Step is one check of the decision procedure and what it found.
type Step struct {
	ID      string `json:"id"`
	Check   string `json:"check"`
	Found   string `json:"found"`
	Outcome string `json:"outcome,omitempty"`
}

// CookieSet says which cookie set the SDK reads and why.
type CookieSet struct {
	Suffixed bool   `json:"suffixed"`
	Suffix   string `json:"suffix,omitempty"`
	Rule     string `json:"rule"`
	Why      string `json:"why"`
}

// Redirect is a parsed Location header.
type Redirect struct {
	Origin   string     `json:"origin"`
	Pathname string     `json:"pathname"`
	Params   []js.Param `json:"-"`
}

// ParamList returns the query parameters in order.
func (r *Redirect) ParamList() [][2]string {
	out := make([][2]string, len(r.Params))
	for i, p := range r.Params {
		out[i] = [2]string{p.Name, p.Value}
	}
	return out
}

// Param returns the first value of a query parameter.
func (r *Redirect) Param(name string) (string, bool) {
	for _, p := range r.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// BAPICall is a Backend API call the SDK made (or would make) while deciding.
type BAPICall struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Query    string `json:"query,omitempty"`
	Answered string `json:"answered"`
	// Changes is true for calls that change state on Clerk's side;
	// clerkscope never makes those against a real instance.
	Changes bool `json:"changesState,omitempty"`
}

// Instance describes the Clerk instance the request is judged against.
type Instance struct {
	PublishableKey string `json:"publishableKey,omitempty"`
	Type           string `json:"type,omitempty"`
	FrontendAPI    string `json:"frontendApi,omitempty"`
	CookieSuffix   string `json:"cookieSuffix,omitempty"`
	ProxyURL       string `json:"proxyUrl,omitempty"`
	IsSatellite    bool   `json:"isSatellite,omitempty"`
	Domain         string `json:"domain,omitempty"`
	Inferred       string `json:"inferred,omitempty"`
}

// Verdict is the engine's answer for one request.
type Verdict struct {
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	// Error is the exception text when Status is Throws.
	Error     string `json:"error,omitempty"`
	TokenType any    `json:"tokenType"`
	Auth      *Auth  `json:"auth"`
	// AuthAllowPending is toAuth({treatPendingAsSignedOut: false}) when it
	// differs from Auth (a pending session).
	AuthAllowPending *Auth      `json:"authAllowPending,omitempty"`
	Headers          []Header   `json:"headers"`
	Location         string     `json:"location,omitempty"`
	Redirect         *Redirect  `json:"-"`
	CookieSet        *CookieSet `json:"cookieSet,omitempty"`
	Signature        *Signature `json:"signature,omitempty"`
	Instance         Instance   `json:"instance"`
	Evidence         []Step     `json:"evidence"`
	BAPICalls        []BAPICall `json:"bapiCalls,omitempty"`
	Logs             []string   `json:"logs,omitempty"`
	Assumptions      []string   `json:"assumptions,omitempty"`
	// Token is the session token the verdict is about (cookie, header, or
	// the one a handshake or refresh delivered), decoded.
	Token        *JWT   `json:"-"`
	TokenCarrier string `json:"tokenCarrier,omitempty"`
}

// Header returns a response header value (set-cookie lines joined).
func (v *Verdict) Header(name string) (string, bool) {
	var vals []string
	for _, h := range v.Headers {
		if strings.EqualFold(h.Name, name) {
			vals = append(vals, h.Value)
		}
	}
	if len(vals) == 0 {
		return "", false
	}
	return strings.Join(vals, ", "), true
}

// SetCookies returns the Set-Cookie lines of the response.
func (v *Verdict) SetCookies() []string {
	var out []string
	for _, h := range v.Headers {
		if strings.EqualFold(h.Name, "set-cookie") {
			out = append(out, h.Value)
		}
	}
	return out
}

// respHeaders is the Fetch Headers object the SDK builds: set replaces,
// append adds; set-cookie lines stay separate.
type respHeaders struct{ list []Header }

func (h *respHeaders) set(name, value string) {
	name = strings.ToLower(name)
	kept := h.list[:0]
	for _, x := range h.list {
		if x.Name != name {
			kept = append(kept, x)
		}
	}
	h.list = append(kept, Header{name, value})
}

func (h *respHeaders) append(name, value string) {
	name = strings.ToLower(name)
	if name != "set-cookie" {
		for i, x := range h.list {
			if x.Name == name {
				h.list[i].Value = x.Value + ", " + value
				return
			}
		}
	}
	h.list = append(h.list, Header{name, value})
}

func (h *respHeaders) get(name string) string {
	for _, x := range h.list {
		if x.Name == name {
			return x.Value
		}
	}
	return ""
}

func (h *respHeaders) clone() *respHeaders {
	return &respHeaders{list: append([]Header(nil), h.list...)}
}

// thrown is an exception out of authenticateRequest.
type thrown struct{ text string }

func (t *thrown) Error() string { return t.text }

// judge holds the AuthenticateContext of one request.
type judge struct {
	decoded map[string]decodedJWT

	env  Env
	opts Options
	ctx  context.Context
	v    *Verdict

	accepts *AcceptsToken

	clerkURL    *js.URL
	method      string
	cookies     map[string]string
	cookieList  []Cookie
	suffix      string
	pk          *PublishableKey
	instance    string
	frontendAPI string // effective (proxy / satellite domain)
	originalAPI string // from the key, for token ownership
	proxyURL    string

	tokenInHeader    string
	hasHeaderToken   bool
	origin           string
	referrer         string
	secFetchDest     string
	accept           string
	sessionInCookie  string
	refreshInCookie  string
	clientUAT        float64
	devBrowserToken  string
	handshakeToken   string
	handshakeNonce   string
	redirectCount    float64
	suffixedChoice   *CookieSet
	keys             KeySource
	assumeValidSig   bool
	orgMatcher       *orgMatcher
	headerTokenCache *JWT
}

// Judge decides one request exactly as @clerk/backend 3.25.0's
// authenticateRequest would with these options, and records why.
func Judge(req Request, opts Options, env Env) *Verdict {
	if env.Context == nil {
		env.Context = context.Background()
	}
	if env.Now.IsZero() {
		env.Now = time.Unix(0, 0)
	}
	j := &judge{env: env, opts: opts, ctx: env.Context, v: &Verdict{Evidence: make([]Step, 0, 10)}}
	if err := j.run(req); err != nil {
		var t *thrown
		if errors.As(err, &t) {
			j.v.Status = Throws
			j.v.Error = t.text
			j.v.Reason = ""
			j.v.Message = ""
			j.v.Auth = nil
			j.v.TokenType = nil
			j.v.Headers = nil
			j.v.Location = ""
			j.v.Redirect = nil
		}
	}
	if j.v.Headers == nil {
		j.v.Headers = []Header{}
	}
	// A capture keeps every verdict: hold the evidence at its size.
	if cap(j.v.Evidence)-len(j.v.Evidence) > 2 {
		j.v.Evidence = append(make([]Step, 0, len(j.v.Evidence)), j.v.Evidence...)
	}
	return j.v
}

// decodedJWT memoises DecodeJWT: the SDK decodes the same token many
// times per request (cookie-set choice, category, machine sniffing,
// verification); the answers do not change within one request.
type decodedJWT struct {
	jwt    *JWT
	err    error
	format bool // jwtFormat(token)
}

func (j *judge) decode(token string) (*JWT, error) {
	if d, ok := j.decoded[token]; ok {
		return d.jwt, d.err
	}
	if j.decoded == nil {
		j.decoded = map[string]decodedJWT{}
	}
	t, err := DecodeJWT(token)
	j.decoded[token] = decodedJWT{t, err, jwtFormat(token)}
	return t, err
}

// jwtFormat is the SDK's JWT shape test, memoised with the decode.
func (j *judge) jwtFormat(token string) bool {
	j.decode(token)
	return j.decoded[token].format
}

func (j *judge) isOAuthJWT(token string) bool {
	if !j.jwtFormat(token) {
		return false
	}
	t, err := j.decode(token)
	if err != nil {
		return false
	}
	typ, _ := js.AsString(js.Field(t.Header, "typ"))
	return typ == "at+jwt" || typ == "application/at+jwt"
}

func (j *judge) isM2MJWT(token string) bool {
	if !j.jwtFormat(token) {
		return false
	}
	t, err := j.decode(token)
	if err != nil {
		return false
	}
	sub, ok := js.AsString(t.Claim("sub"))
	return ok && strings.HasPrefix(sub, "mch_")
}

func (j *judge) isMachineJWT(token string) bool { return j.isOAuthJWT(token) || j.isM2MJWT(token) }

func (j *judge) hasNonSessionCategory(token string) bool {
	t, err := j.decode(token)
	return err == nil && isNonSessionCategory(js.Field(t.Header, "cat"))
}

func (j *judge) isMachineToken(token string) bool {
	return strings.HasPrefix(token, "mt_") || strings.HasPrefix(token, "oat_") || strings.HasPrefix(token, "ak_") || j.isMachineJWT(token)
}

func (j *judge) machineTokenType(token string) string {
	switch {
	case strings.HasPrefix(token, "mt_") || j.isM2MJWT(token):
		return TokenTypeM2M
	case strings.HasPrefix(token, "oat_") || j.isOAuthJWT(token):
		return TokenTypeOAuth
	case strings.HasPrefix(token, "ak_"):
		return TokenTypeAPIKey
	}
	return ""
}

func (j *judge) step(id, check, found string) {
	j.v.Evidence = append(j.v.Evidence, Step{ID: id, Check: check, Found: found})
}

func (j *judge) outcome(o string) {
	if n := len(j.v.Evidence); n > 0 {
		j.v.Evidence[n-1].Outcome = o
	}
}

func (j *judge) assume(s string) {
	for _, a := range j.v.Assumptions {
		if a == s {
			return
		}
	}
	j.v.Assumptions = append(j.v.Assumptions, s)
}

func (j *judge) log(s string) { j.v.Logs = append(j.v.Logs, s) }

func (j *judge) throw(text string) error {
	j.step("P", "configuration preconditions", firstLine(text))
	j.outcome("authenticateRequest throws: the framework answers 500")
	return &thrown{text}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// run is authenticateRequest.
func (j *judge) run(req Request) error {
	j.method = req.Method
	if j.method == "" {
		j.method = "GET"
	}
	j.method = strings.ToUpper(j.method)
	u, err := js.ParseURL(req.URL)
	if err != nil {
		return j.throw("Failed to parse URL from " + req.URL)
	}
	j.clerkURL = deriveURL(u, &req)
	if j.clerkURL.Href() != u.Href() {
		j.step("U", "public URL from Host / X-Forwarded-* headers", "the app sees "+j.clerkURL.Origin()+" (request URL "+u.Origin()+")")
	}
	j.cookieList = req.Cookies()
	j.cookies = cookieMap(j.cookieList)
	j.accepts = j.opts.AcceptsToken
	acc := j.accepts.single()

	// createAuthenticateContext
	if j.opts.PublishableKey != "" {
		if pk, err := parsePublishableKeyCached(j.opts.PublishableKey); err == nil {
			j.suffix = pk.CookieSuffix
		} else {
			j.suffix = CookieSuffix(j.opts.PublishableKey)
		}
	}
	machineOnly := acc == TokenTypeM2M || acc == TokenTypeAPIKey
	if !machineOnly {
		if err := j.initPublishableKey(); err != nil {
			return err
		}
	}
	j.initHeaders(&req)
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
				return j.throw(ErrTextSecretKeyMissing)
			}
			j.assume("the app has a secret key configured (none was given to clerkscope)")
		}
		if j.opts.IsSatellite {
			if j.opts.SignInURL == "" && (strings.HasPrefix(j.opts.SecretKey, "sk_test_") || strings.HasPrefix(j.opts.SecretKey, "test_")) {
				return j.throw(ErrTextSignInURLMissing)
			}
			if j.opts.SignInURL != "" && j.origin != "" {
				si, err := js.ParseURL(j.opts.SignInURL)
				if err != nil {
					return j.throw(ErrTextSignInURLNotAbsolute)
				}
				if si.Origin() == j.origin {
					return j.throw(ErrTextSignInURLSameOrigin)
				}
			}
			if j.proxyURL == "" && j.opts.Domain == "" {
				return j.throw(ErrTextSatelliteNoDomain)
			}
		}
	} else if j.opts.MachineSecretKey == "" && j.opts.SecretKey == "" {
		return j.throw(ErrTextMachineNoSecret)
	}
	om, err := newOrgMatcher(j.opts.OrganizationSyncOptions)
	if err != nil {
		return j.throw(err.Error())
	}
	j.orgMatcher = om
	j.setupKeys()

	if j.accepts != nil && j.accepts.IsList {
		typ := TokenTypeSession
		if j.hasHeaderToken && j.isMachineToken(j.tokenInHeader) {
			typ = j.machineTokenType(j.tokenInHeader)
		}
		j.step("R1", "acceptsToken list "+j.accepts.String()+" includes the presented token type", typ)
		if !j.accepts.accepts(typ) {
			j.outcome("not accepted")
			j.v.Status, j.v.Reason, j.v.TokenType = SignedOut, TokenTypeMismatch, nil
			j.v.Auth = &Auth{TokenType: nil}
			j.finishHeaders(&respHeaders{})
			return nil
		}
	}
	if j.hasHeaderToken {
		switch {
		case acc == "any" || j.accepts != nil && j.accepts.IsList:
			return j.anyTokenInHeader()
		case acc == TokenTypeSession:
			return j.sessionTokenInHeader()
		default:
			return j.machineTokenInHeader(acc)
		}
	}
	if acc == TokenTypeOAuth || acc == TokenTypeAPIKey || acc == TokenTypeM2M {
		j.step("R3", "acceptsToken is "+acc+" and there is no Authorization token", "no token in the Authorization header")
		j.signedOutMachine(acc, NoTokenInHeader, "")
		return nil
	}
	return j.cookiePath()
}

// deriveURL is ClerkRequest.deriveUrlFromHeaders.
func deriveURL(u *js.URL, req *Request) *js.URL {
	fproto, hasProto := req.Get("x-forwarded-proto")
	fhost, hasFHost := req.Get("x-forwarded-host")
	host, hasHost := req.Get("host")
	if !hasHost {
		host, hasHost = req.Get(":authority")
	}
	resolvedHost := ""
	if hasFHost {
		resolvedHost, _, _ = strings.Cut(fhost, ",")
	} else if hasHost {
		resolvedHost = host
	}
	proto := u.Scheme()
	if hasProto {
		proto, _, _ = strings.Cut(fproto, ",")
	}
	if resolvedHost == "" || proto == "" {
		return u
	}
	origin := proto + "://" + resolvedHost
	if origin == u.Origin() {
		return u
	}
	if r, ok := u.WithOrigin(origin); ok {
		return r
	}
	return u
}

func (j *judge) initPublishableKey() error {
	if j.opts.PublishableKey == "" && j.env.Infer {
		j.suffix = suffixFromCookieNames(j.cookieList)
		j.v.Instance.CookieSuffix = j.suffix
		j.v.Instance.Inferred = "unknown: no publishable key was given and no token names its issuer"
		j.assume("the instance is unknown (no publishable key, no token with an iss claim): development-only checks were skipped and the handshake URL's host is not known; pass --publishable-key")
		j.step("1.1", "instance", "unknown; cookie suffix "+orNone(j.suffix, j.suffix != "")+" taken from the cookie names")
		return nil
	}
	pk, err := parsePublishableKeyCached(j.opts.PublishableKey)
	if err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			j.step("P1", "publishable key", ke.Error())
			return j.throw(ke.Text)
		}
		return j.throw(err.Error())
	}
	j.pk = pk
	j.instance = pk.InstanceType
	j.originalAPI = pk.FrontendAPI
	if pk.InstanceType != Development && j.opts.Domain != "" && j.opts.IsSatellite {
		j.originalAPI = "clerk." + j.opts.Domain
	}
	j.frontendAPI = j.originalAPI
	proxy := j.opts.ProxyURL
	if strings.HasPrefix(proxy, "/") {
		proxy = j.clerkURL.Origin() + proxy
	}
	if proxy != "" {
		j.frontendAPI = proxy
	}
	j.v.Instance.PublishableKey = pk.Key
	j.v.Instance.Type = pk.InstanceType
	j.v.Instance.FrontendAPI = j.originalAPI
	j.v.Instance.CookieSuffix = pk.CookieSuffix
	return nil
}

func (j *judge) initHeaders(req *Request) {
	if auth, ok := req.Get("authorization"); ok && auth != "" {
		scheme, rest, hasSpace := strings.Cut(auth, " ")
		token := rest
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			token = rest[:i]
		}
		switch {
		case !hasSpace || token == "":
			j.tokenInHeader, j.hasHeaderToken = scheme, true
		case scheme == "Bearer":
			j.tokenInHeader, j.hasHeaderToken = token, true
		}
		if j.hasHeaderToken {
			j.step("R2", "Authorization header", "carries a token: the header path is used and cookies are not read")
		} else {
			j.step("R2", "Authorization header", "scheme "+quoteShort(scheme)+" is not \"Bearer\": ignored, cookies are used")
		}
	}
	j.origin = req.Value("origin")
	j.referrer = req.Value("referer")
	j.secFetchDest = req.Value("sec-fetch-dest")
	j.accept = req.Value("accept")
}

func (j *judge) cookie(name string) string { return j.cookies[name] }

func (j *judge) suffixed(name string) string {
	if j.suffix == "" {
		return j.cookies[name+"_"]
	}
	return j.cookies[name+"_"+j.suffix]
}

func (j *judge) suffixedOrNot(name string) string {
	if j.suffixedChoice.Suffixed {
		return j.suffixed(name)
	}
	return j.cookie(name)
}

func (j *judge) initCookies() {
	j.suffixedChoice = j.usesSuffixedCookies()
	j.v.CookieSet = j.suffixedChoice
	set := "un-suffixed"
	if j.suffixedChoice.Suffixed {
		set = "suffixed (_" + j.suffix + ")"
	}
	j.step("2.3/"+j.suffixedChoice.Rule, "which cookie set the SDK reads", set+": "+j.suffixedChoice.Why)
	j.sessionInCookie = j.suffixedOrNot("__session")
	j.refreshInCookie = j.suffixed("__refresh")
	j.clientUAT = js.ParseInt(j.suffixedOrNot("__client_uat"))
	if math.IsNaN(j.clientUAT) {
		j.clientUAT = 0
	}
	if v, ok := j.clerkURL.Get("__clerk_db_jwt"); ok && v != "" {
		j.devBrowserToken = v
	} else {
		j.devBrowserToken = j.suffixedOrNot("__clerk_db_jwt")
	}
	if v, ok := j.clerkURL.Get("__clerk_handshake"); ok && v != "" {
		j.handshakeToken = v
	} else {
		j.handshakeToken = j.cookie("__clerk_handshake")
	}
	j.redirectCount = js.Number(j.cookies["__clerk_redirect_count"])
	if _, ok := j.cookies["__clerk_redirect_count"]; !ok || math.IsNaN(j.redirectCount) {
		j.redirectCount = 0
	}
	if v, ok := j.clerkURL.Get("__clerk_handshake_nonce"); ok && v != "" {
		j.handshakeNonce = v
	} else {
		j.handshakeNonce = j.cookie("__clerk_handshake_nonce")
	}
}

// usesSuffixedCookies is §2.3, rule by rule.
func (j *judge) usesSuffixedCookies() *CookieSet {
	cs := &CookieSet{Suffix: j.suffix}
	us := j.suffixed("__client_uat")
	_, hasUs := j.cookies["__client_uat_"+j.suffix]
	hasUs = hasUs && us != ""
	u := j.cookie("__client_uat")
	hasU := u != ""
	ss := j.suffixed("__session")
	s := j.cookie("__session")
	if s != "" {
		sj, err := j.decode(s)
		if err != nil || !js.Truthy(sj.Claim("iss")) {
			cs.Rule, cs.Why = "1", "__session is present but is not a JWT with an iss claim, so the un-suffixed set is used"
			return cs
		}
		iss, isStr := js.AsString(sj.Claim("iss"))
		issHost := stripScheme(iss)
		if !isStr || issHost != j.originalAPI {
			cs.Suffixed = true
			cs.Rule, cs.Why = "2", fmt.Sprintf("__session was issued by %s, not this instance (%s): it belongs to another app on the same domain", js.ToString(sj.Claim("iss")), j.originalAPI)
			return cs
		}
	}
	if !hasUs && ss == "" {
		cs.Rule, cs.Why = "3", "there is no __session_"+j.suffix+" or __client_uat_"+j.suffix
		return cs
	}
	iat := func(tok string) float64 {
		jj, err := j.decode(tok)
		if err != nil {
			return 0
		}
		v := jj.Claim("iat")
		if !js.Truthy(v) {
			return 0
		}
		return js.ToNumber(v)
	}
	iatS, iatSs := iat(s), iat(ss)
	if (!hasUs || us != "0") && (!hasU || u != "0") && iatS > iatSs {
		cs.Rule, cs.Why = "4", fmt.Sprintf("the un-suffixed __session is newer (iat %s > %s)", js.NumberString(iatS), js.NumberString(iatSs))
		return cs
	}
	if hasUs && us == "0" && (!hasU || u != "0") {
		cs.Rule, cs.Why = "5", "__client_uat_"+j.suffix+" is 0 but __client_uat is not"
		return cs
	}
	if j.instance != Production {
		expired := false
		if jj, err := j.decode(ss); err == nil {
			expired = js.ToNumber(jj.Claim("exp")) <= math.Trunc(float64(j.env.Now.UnixMilli())/1000)
		}
		if (!hasUs || us != "0") && hasU && u == "0" && expired {
			cs.Rule, cs.Why = "6", "development: __client_uat is 0 and __session_"+j.suffix+" has expired"
			return cs
		}
	}
	if !hasUs && ss != "" {
		cs.Rule, cs.Why = "7", "__session_"+j.suffix+" is present but __client_uat_"+j.suffix+" is not"
		return cs
	}
	cs.Suffixed = true
	cs.Rule, cs.Why = "8", "the suffixed cookies are present and no rule prefers the un-suffixed ones"
	return cs
}

func stripScheme(s string) string {
	for {
		l := strings.ToLower(s)
		switch {
		case strings.Contains(l, "https://"):
			i := strings.Index(l, "https://")
			s = s[:i] + s[i+8:]
		case strings.Contains(l, "http://"):
			i := strings.Index(l, "http://")
			s = s[:i] + s[i+7:]
		default:
			return s
		}
	}
}

// setupKeys picks the key source: an explicit one, jwtKey, or the JWKS of
// the Backend API.
func (j *judge) setupKeys() {
	switch {
	case j.env.Keys != nil:
		j.keys = j.env.Keys
	case j.opts.JWTKey != "":
		j.keys = PEMKey{PEM: j.opts.JWTKey}
	case j.opts.SecretKey != "" || j.opts.API != nil && j.opts.API.JWKS != nil:
		j.keys = &remoteKeys{j: j}
	default:
		if j.env.Infer {
			j.assumeValidSig = true
		}
	}
}

func (j *judge) backend() Backend {
	if j.env.Backend != nil {
		return j.env.Backend
	}
	return Canned{API: j.opts.API}
}

// remoteKeys is loadClerkJWKFromRemote over the Backend.
type remoteKeys struct {
	j    *judge
	jwks *JWKS
	err  error
	done bool
}

func (r *remoteKeys) KeyFor(ctx context.Context, kid string) (*Key, error) {
	if !r.done {
		r.done = true
		call := BAPICall{Method: "GET", Path: "/v1/jwks"}
		r.jwks, r.err = r.j.backend().JWKS(ctx)
		call.Answered = answeredText(r.err)
		r.j.v.BAPICalls = append(r.j.v.BAPICalls, call)
	}
	if r.err != nil {
		var ae *APIError
		if errors.As(r.err, &ae) {
			for i, c := range ae.Codes {
				if c == "clerk_key_invalid" {
					return nil, &TokenError{Reason: SecretKeyInvalid, Action: ActionContactSupport, Message: ae.Messages[i]}
				}
			}
			api := j2apiURL(r.j.opts.APIURL)
			return nil, &TokenError{Reason: JWKRemoteFailedToLoad, Action: ActionContactSupport,
				Message: fmt.Sprintf("Error loading Clerk JWKS from %s/v1/jwks with code=%d", api, ae.Status)}
		}
		return nil, r.err
	}
	return r.jwks.KeyFor(ctx, kid)
}

func (r *remoteKeys) Describe() string { return "the Backend API's /v1/jwks" }

func j2apiURL(u string) string {
	if u == "" {
		return "https://api.clerk.com"
	}
	return strings.TrimRight(u, "/")
}

func answeredText(err error) string {
	var ae *APIError
	switch {
	case err == nil:
		return "200"
	case errors.As(err, &ae):
		return fmt.Sprint(ae.Status)
	case errors.Is(err, ErrNotCalled):
		return "not-called"
	default:
		return "network-error"
	}
}

// verifyParams are the authenticate context's options as verifyToken reads
// them.
func (j *judge) verifyParams() verifyParams {
	skewMs := float64(defaultClockSkewMs)
	if j.opts.ClockSkewInMs != nil && !math.IsNaN(*j.opts.ClockSkewInMs) && !math.IsInf(*j.opts.ClockSkewInMs, 0) {
		skewMs = *j.opts.ClockSkewInMs
	}
	return verifyParams{
		keys:              j.keys,
		assumeValid:       j.assumeValidSig,
		audience:          j.opts.Audience,
		authorizedParties: j.opts.AuthorizedParties,
		issuer:            nonEmpty(j.opts.Issuer),
		clockSkewMs:       skewMs,
		now:               j.env.Now,
		decode:            j.decode,
	}
}

func (j *judge) verify(token string) verifyResult {
	r := verifyToken(j.ctx, token, j.verifyParams())
	s := r.Signature
	j.v.Signature = &s
	if j.assumeValidSig && s.State == SigUnverified {
		j.assume("the token's signature is valid (no jwtKey, JWKS or secret key was given, so it was not checked)")
	}
	return r
}

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

func (j *judge) sessionToken() string {
	if j.sessionInCookie != "" {
		return j.sessionInCookie
	}
	if j.hasHeaderToken {
		return j.tokenInHeader
	}
	return ""
}

func (j *judge) usesSuffixed() bool {
	if j.suffixedChoice == nil {
		return false
	}
	return j.suffixedChoice.Suffixed
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

// maybeHandshake is handleMaybeHandshakeStatus.
func (j *judge) maybeHandshake(reason, message string, headers *respHeaders) {
	j.step("6.1", "handshake-eligible (a page navigation the SDK may redirect)?", j.eligibilityText())
	if !j.isEligibleForHandshake() {
		j.outcome("signed-out instead of a handshake redirect")
		j.signedOut(reason, message, nil)
		return
	}
	if headers == nil {
		headers = j.buildRedirectToHandshake(reason)
	}
	if headers.get("location") != "" {
		headers.set("cache-control", "no-store")
	}
	j.step("6.1", "redirect loop guard (__clerk_redirect_count)", fmt.Sprintf("__clerk_redirect_count = %s", js.NumberString(j.redirectCount)))
	if j.redirectCount == 3 {
		j.outcome("3 handshakes in a row: the SDK gives up and answers signed-out")
		if reason == SatelliteCookieNeedsSyncing {
			j.log("log: Clerk: Satellite-domain authentication resulted in an infinite redirect loop. Check that this request is using a configured primary or satellite domain for the production instance. For preview deployments, use a development/staging Clerk instance or a supported configured preview-domain setup.")
		} else {
			j.log("log: Clerk: Refreshing the session token resulted in an infinite redirect loop. This usually means that your Clerk instance keys do not match - make sure to copy the correct publishable and secret keys from the Clerk dashboard.")
		}
		j.signedOut(reason, message, nil)
		return
	}
	headers.append("set-cookie", fmt.Sprintf("__clerk_redirect_count=%s; SameSite=Lax; HttpOnly; Max-Age=2", js.NumberString(j.redirectCount+1)))
	j.outcome("handshake: redirect to " + redirectTarget(headers.get("location")))
	j.v.Status, j.v.Reason, j.v.Message = Handshake, reason, message
	j.v.TokenType = TokenTypeSession
	j.v.Auth = nil
	j.finishHeaders(headers)
}

func redirectTarget(loc string) string {
	u, err := js.ParseURL(loc)
	if err != nil {
		return loc
	}
	return u.Origin() + u.Pathname()
}

// finishHeaders is withDebugHeaders plus the parsed Location.
func (j *judge) finishHeaders(h *respHeaders) {
	h = h.clone()
	if j.v.Message != "" && headerSafe(j.v.Message) {
		h.set("x-clerk-auth-message", j.v.Message)
	}
	if j.v.Reason != "" && headerSafe(j.v.Reason) {
		h.set("x-clerk-auth-reason", j.v.Reason)
	}
	if j.v.Status != SignedIn && j.v.Status != "" {
		h.set("x-clerk-auth-status", j.v.Status)
	}
	j.v.Headers = h.list
	j.v.Location = h.get("location")
	j.v.Redirect = nil
	if j.v.Location != "" {
		if u, err := js.ParseURL(j.v.Location); err == nil {
			j.v.Redirect = &Redirect{Origin: u.Origin(), Pathname: u.Pathname(), Params: u.Params()}
		}
	}
}

func headerSafe(s string) bool {
	for _, c := range s {
		if c == '\r' || c == '\n' || c == 0 || c > 0xff {
			return false
		}
	}
	return true
}

func (j *judge) signedOut(reason, message string, headers *respHeaders) {
	j.v.Status, j.v.Reason, j.v.Message = SignedOut, reason, message
	j.v.TokenType = TokenTypeSession
	j.v.Auth = signedOutAuth(nil)
	if headers == nil {
		headers = &respHeaders{}
	}
	j.finishHeaders(headers)
}

func (j *judge) signedOutMachine(tokenType, reason, message string) {
	j.v.Status, j.v.Reason, j.v.Message = SignedOut, reason, message
	j.v.TokenType = tokenType
	if tokenType == TokenTypeSession {
		j.v.Auth = signedOutAuth(nil)
	} else {
		j.v.Auth = unauthenticatedMachineAuth(tokenType)
	}
	j.finishHeaders(&respHeaders{})
}

func (j *judge) signedIn(claims any, token string, headers *respHeaders) {
	j.v.Status, j.v.Reason, j.v.Message = SignedIn, "", ""
	j.v.TokenType = TokenTypeSession
	a := signedInAuth(claims)
	if s, ok := a.SessionStatus.(string); ok && s == "pending" {
		j.v.AuthAllowPending = a
		j.v.Auth = signedOutAuth("pending")
	} else {
		j.v.Auth = a
	}
	if tok, err := j.decode(token); err == nil {
		j.v.Token = tok
	}
	if headers == nil {
		headers = &respHeaders{}
	}
	j.finishHeaders(headers)
}

// sessionTokenInHeader is authenticateRequestWithTokenInHeader (H1–H2).
func (j *judge) sessionTokenInHeader() error {
	t := j.tokenInHeader
	j.v.TokenCarrier = "header"
	if tok, err := j.decode(t); err == nil {
		j.v.Token = tok
	}
	j.step("H1", "is the Authorization token a machine, OAuth or non-session JWT?", j.tokenKind(t))
	if j.isMachineJWT(t) || j.hasNonSessionCategory(t) {
		j.outcome("signed-out: wrong kind of token")
		j.signedOut(TokenTypeMismatch, "", nil)
		return nil
	}
	r := j.verify(t)
	j.step("H2", "verify the Authorization token", verifyFound(r))
	if r.Err != nil {
		return j.sessionTokenError(r.Err, "header")
	}
	j.outcome("signed-in")
	j.signedIn(r.Payload, t, nil)
	return nil
}

func (j *judge) tokenKind(t string) string {
	switch {
	case j.isOAuthJWT(t):
		return "an OAuth access token (typ at+jwt)"
	case j.isM2MJWT(t):
		return "a machine (M2M) token (sub mch_…)"
	case j.hasNonSessionCategory(t):
		jj, _ := j.decode(t)
		return "a JWT of category " + js.ToString(js.Field(jj.Header, "cat")) + " (" + categoryName(js.ToString(js.Field(jj.Header, "cat"))) + ")"
	}
	if _, err := j.decode(t); err != nil {
		return "not a decodable JWT"
	}
	return "a session-token JWT"
}

func categoryName(c string) string {
	switch c {
	case CategorySession:
		return "session token"
	case CategoryTemplate:
		return "JWT template token"
	case CategoryM2M:
		return "machine token"
	case CategoryIgnore:
		return "categories ignored"
	}
	return "unknown category"
}

func verifyFound(r verifyResult) string {
	if r.Err == nil {
		if r.Signature.State == SigVerified {
			return "valid: " + r.Signature.Detail + "; claims pass"
		}
		return "claims pass; signature " + string(r.Signature.State) + " (" + r.Signature.Detail + ")"
	}
	var te *TokenError
	if errors.As(r.Err, &te) {
		return te.Reason + ": " + te.Message
	}
	return "could not verify: " + r.Err.Error()
}

// sessionTokenError is handleSessionTokenError (TOKEN-ERROR).
func (j *judge) sessionTokenError(err error, carrier string) error {
	var te *TokenError
	if !errors.As(err, &te) {
		j.step("6.1", "kind of failure", "not a token verification error: "+err.Error())
		j.outcome("signed-out unexpected-error")
		j.signedOut(UnexpectedError, "", nil)
		return nil
	}
	te.Carrier = carrier
	refreshError := ""
	hasRefresh := j.refreshInCookie != ""
	if te.Reason == TokenExpired && hasRefresh && j.method == "GET" {
		j.step("6.4", "server-side refresh (expired token, __refresh_"+j.suffix+" cookie, GET)", "the SDK calls POST /v1/sessions/{sid}/refresh")
		claims, headers, token, code := j.attemptRefresh()
		if code == "" {
			j.v.TokenCarrier = "refresh"
			j.outcome("refreshed: signed-in with the new cookies")
			j.signedIn(claims, token, headers)
			return nil
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
		j.maybeHandshake(refreshReasonPrefix+refreshError, msg, nil)
	case TokenNotActiveYet:
		j.maybeHandshake(SessionTokenNBF, msg, nil)
	case TokenIatInTheFuture:
		j.maybeHandshake(SessionTokenIatInTheFuture, msg, nil)
	default:
		j.signedOut(te.Reason, msg, nil)
	}
	return nil
}

// attemptRefresh is refreshToken + attemptRefresh; code "" means success.
func (j *judge) attemptRefresh() (claims any, headers *respHeaders, token string, code string) {
	expired := j.sessionToken()
	jj, err := j.decode(expired)
	if err != nil {
		return nil, nil, "", RefreshExpiredTokenDecodeFailed
	}
	sid := jj.Claim("sid")
	if !js.Truthy(sid) {
		return nil, nil, "", RefreshExpiredTokenMissingSID
	}
	call := BAPICall{Method: "POST", Path: "/v1/sessions/" + js.ToString(sid) + "/refresh", Changes: true}
	cookies, err := j.backend().RefreshSession(j.ctx, js.ToString(sid))
	call.Answered = answeredText(err)
	j.v.BAPICalls = append(j.v.BAPICalls, call)
	if err != nil {
		var ae *APIError
		var oc *ObservedRefreshCode
		switch {
		case errors.As(err, &oc):
			call.Answered = "settled by the app's response"
			j.v.BAPICalls[len(j.v.BAPICalls)-1] = call
			j.assume("the refresh outcome (" + oc.Code + ") is read from the app's own x-clerk-auth-reason; clerkscope never calls the refresh endpoint")
			return nil, nil, "", oc.Code
		case errors.As(err, &ae) && len(ae.Codes) > 0:
			if ae.Codes[0] == "unexpected_error" {
				return nil, nil, "", RefreshFetchError
			}
			return nil, nil, "", ae.Codes[0]
		case errors.As(err, &ae):
			return nil, nil, "", RefreshUnexpectedBAPIError
		default:
			if errors.Is(err, ErrNotCalled) || errors.Is(err, ErrUnreachable) {
				j.assume("the refresh call failed like an unreachable network (clerkscope never calls it; give canned answers in the config's \"api\" or a capture with the response to see the real outcome)")
			}
			return nil, nil, "", RefreshFetchError
		}
	}
	if len(cookies) == 0 {
		return nil, nil, "", RefreshUnexpectedSDKError
	}
	headers = &respHeaders{}
	for _, c := range cookies {
		headers.append("set-cookie", c)
		if strings.HasPrefix(directiveName(c), "__session") {
			token, _ = directiveValue(c)
		}
	}
	r := j.verify(token)
	if r.Err != nil {
		return nil, nil, "", RefreshInvalidSessionToken
	}
	return r.Payload, headers, token, ""
}

// cookiePath is authenticateRequestWithTokenInCookie (C1–C16).
func (j *judge) cookiePath() error {
	j.v.TokenCarrier = "cookie"
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
		j.step("C1", "handshake nonce or token present?", "yes: "+what)
		done, err := j.resolveHandshake()
		if err != nil {
			var te *TokenError
			if errors.As(err, &te) && j.instance == Development {
				if te.Reason == TokenInvalidSignature {
					return j.throw("Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.")
				}
				return j.throw("Clerk: Handshake token verification failed: " + te.FullMessage() + ".")
			}
			var th *thrown
			if errors.As(err, &th) {
				return err
			}
			j.log("error: Clerk: unable to resolve handshake: Error: " + err.Error())
			j.outcome("could not resolve the handshake (" + err.Error() + "): the SDK logs it and carries on as if there were none")
			// The attempt may have set a provisional verdict; reset it.
			j.v.Status, j.v.Reason, j.v.Message, j.v.Auth, j.v.Headers = "", "", "", nil, nil
		} else if done {
			return nil
		}
	}

	syncedParam, hasSynced := j.clerkURL.Get("__clerk_synced")
	needsSync := hasSynced && syncedParam == "false"
	syncCompleted := hasSynced && syncedParam == "true"
	hasCookies := hasSession || hasActiveClient
	multiDomainEligible := j.opts.IsSatellite && j.secFetchDest == "document" && j.method == "GET"
	autoSync := j.opts.SatelliteAutoSync != nil && *j.opts.SatelliteAutoSync
	skipSatellite := !autoSync && !hasCookies && !needsSync
	if j.opts.IsSatellite {
		j.step("C2/C3", "satellite sync (GET document navigation, __clerk_synced)", fmt.Sprintf("navigation: %v, __clerk_synced=%s, session or client_uat cookies: %v, satelliteAutoSync: %v", multiDomainEligible, orNone(syncedParam, hasSynced), hasCookies, autoSync))
	}
	if multiDomainEligible && !syncCompleted && (j.instance == Production || j.instance == Development) {
		if skipSatellite {
			j.outcome("first visit without cookies and satelliteAutoSync off: signed-out without syncing")
			j.signedOut(SessionTokenAndUATMissing, "", nil)
			return nil
		}
		if !hasCookies || needsSync {
			if j.instance == Production {
				j.outcome("the satellite must sync with the primary domain")
				j.maybeHandshake(SatelliteCookieNeedsSyncing, "", nil)
				return nil
			}
			signIn, err := js.ParseURL(j.opts.SignInURL)
			if err != nil {
				return j.throw("Invalid URL")
			}
			signIn.Append("__clerk_redirect_url", j.clerkURL.Href())
			h := &respHeaders{}
			h.set("location", signIn.Href())
			j.outcome("the development satellite sends the browser to the primary's sign-in URL to sync")
			j.maybeHandshake(SatelliteCookieNeedsSyncing, "", h)
			return nil
		}
	}

	redirectURL, hasRedirectURL := j.clerkURL.Get("__clerk_redirect_url")
	if j.instance == Development && !j.opts.IsSatellite && hasRedirectURL && redirectURL != "" {
		j.step("C4", "development primary asked to sync a satellite (__clerk_redirect_url)?", "yes: "+redirectURL)
		back, err := js.ParseURL(redirectURL)
		if err != nil {
			return j.throw("Invalid URL")
		}
		if j.devBrowserToken != "" {
			back.Append("__clerk_db_jwt", j.devBrowserToken)
		}
		back.Set("__clerk_synced", "true")
		h := &respHeaders{}
		h.set("location", back.Href())
		j.maybeHandshake(PrimaryRespondsToSyncing, "", h)
		return nil
	}
	if j.instance == Development && j.clerkURL.Has("__clerk_db_jwt") {
		j.step("C5", "development: __clerk_db_jwt in the URL?", "yes: FAPI must store the dev browser")
		j.maybeHandshake(DevBrowserSync, "", nil)
		return nil
	}
	if j.instance == Development {
		j.step("C6", "development: dev browser token (__clerk_db_jwt) present?", yesNo(hasDevBrowser, "yes", "no"))
		if !hasDevBrowser {
			j.maybeHandshake(DevBrowserMissing, "", nil)
			return nil
		}
	}
	uatText := fmt.Sprintf("__client_uat = %s", js.NumberString(j.clientUAT))
	if !hasActiveClient {
		uatText += " (no signed-in client)"
	}
	sessText := "no __session"
	if hasSession {
		sessText = "__session present"
	}
	j.step("C7–C9", "__client_uat and __session", uatText+"; "+sessText)
	if !hasActiveClient && !hasSession {
		j.outcome("signed-out: nothing says the browser is signed in")
		j.signedOut(SessionTokenAndUATMissing, "", nil)
		return nil
	}
	if !hasActiveClient && hasSession {
		j.maybeHandshake(SessionTokenWithoutClientUAT, "", nil)
		return nil
	}
	if hasActiveClient && !hasSession {
		j.maybeHandshake(ClientUATWithoutSessionToken, "", nil)
		return nil
	}
	tok, err := j.decode(j.sessionInCookie)
	j.step("C10", "does __session decode as a JWT?", yesNo(err == nil, "yes", "no: "+errText(err)))
	if err != nil {
		return j.sessionTokenError(err, "cookie")
	}
	if tok.Payload == nil {
		return j.throw("Cannot read properties of null (reading 'iat')")
	}
	j.step("C11", "is __session a session token (not a template, machine or OAuth JWT)?", j.tokenKind(j.sessionInCookie))
	if j.isMachineJWT(j.sessionInCookie) || j.hasNonSessionCategory(j.sessionInCookie) {
		j.outcome("signed-out: wrong kind of token")
		j.signedOut(TokenTypeMismatch, "", nil)
		return nil
	}
	iat := tok.Claim("iat")
	j.step("C12", "token iat vs __client_uat (a token older than the last client change is stale)", fmt.Sprintf("iat %s, __client_uat %s", js.Stringify(iat), js.NumberString(j.clientUAT)))
	if js.Less(iat, j.clientUAT) {
		j.outcome("stale: the token was minted before the client last changed")
		j.maybeHandshake(SessionTokenIATBeforeClientUAT, "", nil)
		return nil
	}
	r := j.verify(j.sessionInCookie)
	j.step("C13", "verify __session", verifyFound(r))
	if r.Err != nil {
		return j.sessionTokenError(r.Err, "cookie")
	}
	if !js.Truthy(js.Field(r.Payload, "azp")) {
		j.log("warn: Clerk: Session token from cookie is missing the azp claim. In a future version of Clerk, this token will be considered invalid. Please contact Clerk support if you see this warning.")
	}
	crossOrigin := j.isCrossOriginReferrer()
	if !j.opts.IsSatellite && j.method == "GET" && j.secFetchDest == "document" && crossOrigin {
		known := j.isKnownClerkReferrer()
		j.step("C14", "primary domain: document navigation from another site?", fmt.Sprintf("Referer %s is cross-origin; known Clerk origin: %v; redirect count %s", j.referrer, known, js.NumberString(j.redirectCount)))
		if !known && j.redirectCount == 0 {
			j.maybeHandshake(PrimaryDomainCrossOriginSync, "Cross-origin request from satellite domain requires handshake", nil)
			return nil
		}
	}
	auth := signedInAuth(r.Payload)
	if auth.err != nil {
		j.step("C15", "build the auth object", "toAuth() throws: "+auth.err.Error())
		j.outcome("signed-out unexpected-error")
		j.signedOut(UnexpectedError, "", nil)
		return nil
	}
	if s, ok := auth.SessionStatus.(string); !(ok && s == "pending") && js.Truthy(auth.UserID) {
		if hs := j.orgSync(auth); hs {
			return nil
		}
	}
	j.step("C16", "signed in", "every check passed")
	j.signedIn(r.Payload, j.sessionInCookie, nil)
	return nil
}

func orNone(v string, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return v
}

func yesNo(b bool, y, n string) string {
	if b {
		return y
	}
	return n
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (j *judge) isCrossOriginReferrer() bool {
	if j.referrer == "" {
		return false
	}
	r, err := js.ParseURL(j.referrer)
	if err != nil {
		return false
	}
	return r.Origin() != j.clerkURL.Origin()
}

func (j *judge) isKnownClerkReferrer() bool {
	r, err := js.ParseURL(j.referrer)
	if err != nil {
		return false
	}
	host := r.Hostname()
	if j.frontendAPI != "" {
		fapi := j.frontendAPI
		if strings.HasPrefix(fapi, "http") {
			if u, err := js.ParseURL(fapi); err == nil {
				fapi = u.Hostname()
			}
		}
		if host == fapi {
			return true
		}
	}
	if j.instance != Production && (isLegacyDevAccountPortalHost(host) || isCurrentDevAccountPortalHost(host)) {
		return true
	}
	if acc := accountsBaseURL(j.frontendAPI); acc != "" {
		if u, err := js.ParseURL(acc); err == nil && u.Origin() == r.Origin() {
			return true
		}
	}
	return false
}

// orgSync is handleMaybeOrganizationSyncHandshake (C15).
func (j *judge) orgSync(auth *Auth) bool {
	target := j.orgMatcher.findTarget(j.clerkURL)
	if target == nil {
		return false
	}
	must := false
	if target.kind == "organization" {
		if target.slug != "" && target.slug != js.ToString(auth.OrgSlug) {
			must = true
		}
		if target.id != "" && target.id != js.ToString(auth.OrgID) {
			must = true
		}
	}
	if target.kind == "personalAccount" && js.Truthy(auth.OrgID) {
		must = true
	}
	j.step("C15", "organizationSyncOptions: does the URL name another organization?", fmt.Sprintf("URL wants %s; the token's active org is %s", target.describe(), describeOrg(auth)))
	if !must {
		j.outcome("no change needed")
		return false
	}
	if j.redirectCount >= 3 {
		j.log("warn: Clerk: Organization activation handshake loop detected. This is likely due to an invalid organization ID or slug. Skipping organization activation.")
		j.outcome("loop guard: organization activation skipped")
		return false
	}
	saved := *j.v
	j.maybeHandshake(ActiveOrganizationMismatch, "", nil)
	if j.v.Status != Handshake {
		ev := j.v.Evidence
		*j.v = saved
		j.v.Evidence = ev
		j.outcome("not a page navigation: the SDK keeps the signed-in state")
		return false
	}
	return true
}

func describeOrg(a *Auth) string {
	if !js.Truthy(a.OrgID) {
		return "none (personal account)"
	}
	s := js.ToString(a.OrgID)
	if js.Truthy(a.OrgSlug) {
		s += " (" + js.ToString(a.OrgSlug) + ")"
	}
	return s
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

// anyTokenInHeader is authenticateAnyRequestWithTokenInHeader.
func (j *judge) anyTokenInHeader() error {
	t := j.tokenInHeader
	if j.isMachineToken(t) {
		typ := j.machineTokenType(t)
		if !j.accepts.accepts(typ) {
			ret := typ
			if !j.accepts.IsList {
				ret = j.accepts.Single
			}
			j.signedOutMachine(ret, TokenTypeMismatch, "")
			return nil
		}
		return j.verifyMachine(typ, t)
	}
	if j.hasNonSessionCategory(t) {
		j.signedOut(TokenTypeMismatch, "", nil)
		return nil
	}
	j.v.TokenCarrier = "header"
	r := j.verify(t)
	j.step("H2", "verify the Authorization token", verifyFound(r))
	if r.Err != nil {
		return j.sessionTokenError(r.Err, "header")
	}
	j.signedIn(r.Payload, t, nil)
	return nil
}

// machineTokenInHeader is authenticateMachineRequestWithTokenInHeader.
func (j *judge) machineTokenInHeader(acc string) error {
	t := j.tokenInHeader
	j.step("R2''", "acceptsToken "+acc+": is the Authorization token a machine token?", j.tokenKind(t))
	if !j.isMachineToken(t) {
		j.signedOutMachine(acc, TokenTypeMismatch, "")
		return nil
	}
	typ := j.machineTokenType(t)
	if typ != acc {
		j.signedOutMachine(acc, TokenTypeMismatch, "")
		return nil
	}
	return j.verifyMachine(typ, t)
}

// machineError is a MachineTokenVerificationError's outcome.
func (j *judge) machineError(typ, code, message string, status int) {
	st := "n/a"
	if status != 0 {
		st = fmt.Sprint(status)
	}
	j.signedOutMachine(typ, code, fmt.Sprintf("%s (code=%s, status=%s)", message, code, st))
}

// verifyMachineJWT is verifyMachineAuthToken for JWTs: M2M JWTs (sub
// mch_…) and OAuth access tokens (typ at+jwt) are verified locally with
// the instance key, like session tokens.
func (j *judge) verifyMachineJWT(token string) error {
	tok, err := j.decode(token)
	if err != nil {
		j.machineError(TokenTypeM2M, TokenInvalid, err.Error(), 0)
		return nil
	}
	typ := TokenTypeOAuth
	var headerTypes []string
	switch {
	case j.isM2MJWT(token):
		typ = TokenTypeM2M
		if c := js.Field(tok.Header, "cat"); !js.IsUndefined(c) && c != CategoryM2M {
			j.machineError(typ, TokenInvalid, "Invalid M2M JWT category.", 0)
			return nil
		}
	case j.isOAuthJWT(token):
		headerTypes = []string{"at+jwt", "application/at+jwt"}
	default:
		t := "missing"
		if s, ok := js.Field(tok.Header, "typ").(string); ok {
			t = s
		}
		j.machineError(typ, TokenVerificationFailed, "Invalid JWT type: "+t+". Expected one of: at+jwt, application/at+jwt for OAuth, or sub starting with 'mch_' for M2M", 0)
		return nil
	}
	p := j.verifyParams()
	p.machine = true
	p.headerTypes = headerTypes
	p.authorizedParties = nil
	p.issuer = nil // resolveKeyAndVerifyJwt passes no issuer
	if typ == TokenTypeOAuth {
		p.audience = nil
	}
	if p.keys == nil && !p.assumeValid {
		j.machineError(typ, TokenVerificationFailed, "Failed to resolve JWK during verification.", 0)
		return nil
	}
	r := verifyToken(j.ctx, token, p)
	sig := r.Signature
	j.v.Signature = &sig
	j.step("M", "verify the "+typ+" JWT", verifyFound(r))
	if r.Err != nil {
		msg := r.Err.Error()
		if errors.Is(r.Err, ErrUnreachable) {
			msg = "fetch failed" // what the SDK's fetch says when the network fails
		}
		j.machineError(typ, TokenVerificationFailed, msg, 0)
		return nil
	}
	claims := r.Payload
	a := &Auth{IsAuthenticated: true, TokenType: typ, ID: js.ToString(js.Field(claims, "jti")), Subject: nullIfUndefined(js.Field(claims, "sub"))}
	if typ == TokenTypeM2M {
		a.MachineID = a.Subject
		if sc, ok := js.Field(claims, "scopes").(string); ok {
			a.Scopes = strings.Split(sc, " ")
		} else if aud := js.Field(claims, "aud"); !js.IsUndefined(aud) && aud != nil {
			a.Scopes = aud
		} else {
			a.Scopes = []any{}
		}
	} else {
		want := nonEmpty(j.opts.Audience)
		if len(want) > 0 {
			if err := assertOAuthAudience(js.Field(claims, "aud"), want); err != "" {
				j.machineError(typ, TokenVerificationFailed, err, 0)
				return nil
			}
		}
		a.UserID = a.Subject
		a.ClientID = js.ToString(js.Field(claims, "client_id"))
		if scp := js.Field(claims, "scp"); !js.IsUndefined(scp) && scp != nil {
			a.Scopes = scp
		} else if sc, ok := js.Field(claims, "scope").(string); ok {
			a.Scopes = strings.Split(sc, " ")
		} else {
			a.Scopes = []any{}
		}
	}
	j.v.Status, j.v.Reason, j.v.Message = SignedIn, "", ""
	j.v.TokenType = typ
	j.v.Auth = a
	j.v.Token = tok
	j.finishHeaders(&respHeaders{})
	return nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// assertOAuthAudience is assertOAuthAudienceClaim; "" means it passes.
func assertOAuthAudience(aud any, want []string) string {
	var got []any
	switch x := aud.(type) {
	case []any:
		got = x
	case nil, js.UndefinedType:
	default:
		got = []any{x}
	}
	ok := len(got) > 0
	for _, g := range got {
		if s, isStr := g.(string); !isStr || s == "" {
			ok = false
		}
	}
	if !ok {
		return fmt.Sprintf("Invalid OAuth audience claim (aud) %s. Expected a non-empty string or a non-empty array of non-empty strings.", js.Stringify(aud))
	}
	for _, g := range got {
		for _, w := range want {
			if g == w {
				return ""
			}
		}
	}
	return fmt.Sprintf("OAuth audience mismatch. Verification expected audience %s, but incoming token has aud %s.", js.Stringify(stringsToAny(want)), js.Stringify(aud))
}

// verifyMachine asks the Backend API about a machine token.
func (j *judge) verifyMachine(typ, token string) error {
	if j.jwtFormat(token) {
		return j.verifyMachineJWT(token)
	}
	path := map[string]string{TokenTypeAPIKey: "/v1/api_keys/verify", TokenTypeM2M: "/v1/m2m_tokens/verify", TokenTypeOAuth: "/v1/oauth_applications/access_tokens/verify"}[typ]
	call := BAPICall{Method: "POST", Path: path}
	data, err := j.backend().VerifyMachineToken(j.ctx, typ, token)
	call.Answered = answeredText(err)
	j.v.BAPICalls = append(j.v.BAPICalls, call)
	j.step("M", "Backend API verification of the "+typ, call.Answered)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			switch ae.Status {
			case 401:
				msg := "Invalid secret key"
				if len(ae.Messages) > 0 && ae.Messages[0] != "" {
					msg = ae.Messages[0]
				}
				j.signedOutMachine(typ, SecretKeyInvalid, fmt.Sprintf("%s (code=%s, status=%d)", msg, SecretKeyInvalid, ae.Status))
				return nil
			case 404:
				nf := map[string]string{TokenTypeAPIKey: "API key not found", TokenTypeM2M: "Machine token not found", TokenTypeOAuth: "OAuth token not found"}[typ]
				j.signedOutMachine(typ, TokenInvalid, fmt.Sprintf("%s (code=%s, status=%d)", nf, TokenInvalid, ae.Status))
				return nil
			}
			j.signedOutMachine(typ, UnexpectedError, fmt.Sprintf("Unexpected error (code=%s, status=%d)", UnexpectedError, ae.Status))
			return nil
		}
		j.signedOutMachine(typ, UnexpectedError, "Unexpected error (code=unexpected-error, status=n/a)")
		return nil
	}
	j.v.Status, j.v.Reason, j.v.Message = SignedIn, "", ""
	j.v.TokenType = typ
	a := &Auth{IsAuthenticated: true, TokenType: typ, ID: data["id"], Subject: data["subject"], Scopes: data["scopes"]}
	sub := js.ToString(data["subject"])
	switch typ {
	case TokenTypeAPIKey:
		a.Name = data["name"]
		if strings.HasPrefix(sub, "user_") {
			a.UserID = sub
		}
		if strings.HasPrefix(sub, "org_") {
			a.OrgID = sub
		}
	case TokenTypeM2M:
		a.MachineID = data["subject"]
	case TokenTypeOAuth:
		a.UserID = data["subject"]
		a.ClientID = data["client_id"]
	}
	j.v.Auth = a
	j.finishHeaders(&respHeaders{})
	return nil
}
