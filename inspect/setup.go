package inspect

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Setup is how a request is judged: the app's options and what clerkscope
// may use besides them. One Setup judges every request of a capture.
type Setup struct {
	Options Options
	// Complete is true when the options are the app's whole configuration
	// (a --config file or a scenario): then a missing secret key makes the
	// SDK throw, as it would in the app, unless SecretKeyInAppEnv says the
	// app has one of its own. Otherwise the missing pieces are inferred and
	// every assumption is listed in the verdict.
	Complete bool
	// SecretKeyInAppEnv is set for a --config that names no key
	// (ConfigKeys.InAppEnv): the app reads its secret key from its
	// own environment, which clerkscope does not see, so a missing secret
	// key is assumed present, as without a config, and the rest of the
	// options are still taken as complete. A scenario never has it: its
	// options are the SDK call's whole input.
	SecretKeyInAppEnv bool
	// Keys overrides jwtKey / the Backend API's JWKS (a JWKS file).
	Keys KeySource
	// FetchJWKS, when set, fetches the instance's public JWKS from its
	// Frontend API for requests no other key can verify (--fetch-jwks).
	FetchJWKS *FrontendJWKS
	// Backend answers Backend API calls (canned answers, or a read-only
	// client for the JWKS). Nil: canned answers from Options.API only.
	Backend Backend
	// Now fixes the clock for every request (--now).
	Now *time.Time
	// InferredFrom says where Options.PublishableKey was inferred from
	// (a capture's Frontend API traffic), when it was not given.
	InferredFrom string
}

// Observation is what the application's actual response showed, used to
// settle Backend API calls clerkscope does not make.
type Observation struct {
	Status     int
	SetCookies []string
	Headers    []Header
}

// Result is a verdict with its explanation and the time it was judged at.
type Result struct {
	Verdict     *Verdict
	Explanation Explanation
	At          time.Time
	// Clock is set when the request was judged at another clock than the
	// one it was sent at: the application server's own, measured off (a
	// capture), or the token's lifetime (a stale paste).
	Clock *ClockNote
	// Otherwise is the verdict at the correct clock, when it differs from
	// the one the server produced (the counterfactual of a clock fix).
	Otherwise *Counterfactual
}

// ClockNote says which clock a request was judged at and why.
type ClockNote struct {
	// Sent is when the browser sent the request (its own clock).
	Sent time.Time `json:"sent"`
	// OffsetSeconds is the server's clock minus the browser's.
	OffsetSeconds float64 `json:"offsetSeconds"`
	// From names the evidence of the offset.
	From string `json:"from"`
}

// Counterfactual is the verdict the same request gets at another clock.
type Counterfactual struct {
	At      time.Time `json:"at"`
	Status  Status    `json:"status"`
	Reason  string    `json:"reason,omitempty"`
	Summary string    `json:"summary"`
}

// Judge judges req at time at (the request's own time; Setup.Now wins).
// ctx bounds the key fetches.
func (s *Setup) Judge(ctx context.Context, req Request, at time.Time, obs *Observation) Result {
	if s.Now != nil {
		at = *s.Now
	}
	opts := s.Options
	inferred := s.InferredFrom
	if opts.PublishableKey == "" && !s.Complete {
		if key, from := InferPublishableKey(req); key != "" {
			opts.PublishableKey = key
			inferred = "from the " + from
		}
	}
	// A secret key in the app's environment is read with the engine's
	// Infer: with a publishable key given, its only effects are the two
	// such a key calls for (the missing key is assumed present, and said
	// to be; without any key the signature is assumed valid). Without a
	// publishable key the SDK throws for it first, as it does in the app.
	appSecret := s.Complete && s.SecretKeyInAppEnv && opts.SecretKey == "" && opts.PublishableKey != ""
	keys, fetchErr := s.keys(ctx, opts, !s.Complete || appSecret)
	env := Env{Now: at, Keys: keys, Backend: s.Backend, Infer: !s.Complete || appSecret}
	if obs != nil {
		inner := env.Backend
		if inner == nil {
			inner = Canned{API: opts.API}
		}
		ob := Observed{Inner: inner, SetCookies: obs.SetCookies, HasResponse: obs.Status > 0 && obs.Status < 500}
		for _, h := range obs.Headers {
			switch {
			case lowerIs(h.Name, HeaderAllowOrigin):
				ob.Resolved = ob.Resolved || h.Value == "null"
			case lowerIs(h.Name, HeaderAuthStatus):
				ob.AuthStatus = h.Value
			case lowerIs(h.Name, HeaderAuthReason):
				ob.AuthReason = h.Value
			}
		}
		env.Backend = ob
	}
	v := Judge(ctx, req, opts, env)
	if inferred != "" {
		v.Instance.Inferred = inferred
		v.Assumptions = append([]string{"the instance (" + v.Instance.FrontendAPI + ") was inferred " + inferred + "; pass --publishable-key to judge against your app's own key"}, v.Assumptions...)
	}
	if appSecret && v.Status != Throws {
		v.Assumptions = append([]string{`the config names no key: like clerkMiddleware, the app reads its secret key from CLERK_SECRET_KEY in its own environment ("secretKey": null in the config models an app without one)`}, v.Assumptions...)
	}
	if keys == nil && !hasKey(opts) && v.Token != nil && v.Signature != nil && v.Signature.State == SigUnverified {
		v.Assumptions = append(v.Assumptions, noKeyHint(s.FetchJWKS, fetchErr))
	}
	return Result{Verdict: v, Explanation: Explain(v, at), At: at}
}

// lowerIs reports whether strings.ToLower(name) is lower (a lower-case
// ASCII name), without making the lower-case copy of an ASCII name.
func lowerIs(name, lower string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return strings.ToLower(name) == lower
		}
	}
	if len(name) != len(lower) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasKey reports whether the options bring a key of their own: jwtKey,
// or the Backend API's JWKS (a secret key or a canned answer), as the
// engine's setupKeys picks them.
func hasKey(opts Options) bool {
	return opts.JWTKey != "" || opts.SecretKey != "" || opts.API != nil && opts.API.JWKS != nil
}

// keys is the key source of a request: the one given (a JWKS file), else,
// with --fetch-jwks and nothing else to verify with, the instance's public
// JWKS from its Frontend API. It is fetched only when the engine would
// otherwise assume the signature valid (assumeValid): a complete config
// without a secret key throws before any token is read.
func (s *Setup) keys(ctx context.Context, opts Options, assumeValid bool) (KeySource, error) {
	if s.Keys != nil || s.FetchJWKS == nil || hasKey(opts) || !assumeValid || opts.PublishableKey == "" {
		return s.Keys, nil
	}
	pk, err := parsePublishableKeyCached(opts.PublishableKey)
	if err != nil {
		return nil, nil
	}
	set, err := s.FetchJWKS.Fetch(ctx, pk.FrontendAPI)
	if err != nil {
		return nil, err
	}
	return set, nil
}

// noKeyHint says how to get a key when none could check a token's
// signature (or why --fetch-jwks did not bring one).
func noKeyHint(fetch *FrontendJWKS, fetchErr error) string {
	const ways = "--jwt-key with the PEM public key from the Dashboard's API keys page (or CLERK_JWT_KEY), --jwks FILE"
	switch {
	case fetchErr != nil:
		return "--fetch-jwks did not bring the instance's keys (" + fetchErr.Error() + "): to check the signature, pass " + ways
	case fetch != nil:
		return "--fetch-jwks needs the instance's Frontend API, which is unknown here: pass --publishable-key, or to check the signature pass " + ways
	}
	return "to check the signature, pass " + ways + ", or --fetch-jwks to fetch the instance's public JWKS from its Frontend API (https://<frontend-api>/.well-known/jwks.json, no secret needed)"
}

// JudgeText judges a pasted or piped request. A scenario (an oracle case)
// brings its own options, clock and canned answers. A request without a URL
// gets the origin its token was minted for (azp); one without Sec-Fetch-Dest
// or Accept is judged as a page navigation, a bare JWT as the fetch that
// sends it. p.Notes say what was assumed.
func (s *Setup) JudgeText(ctx context.Context, p *Parsed, now time.Time) (Request, Result) {
	req := p.Request
	req.Headers = append([]Header(nil), req.Headers...)
	if req.URL == "" {
		req.URL = guessURL(req)
		p.Notes = append(p.Notes, "no URL was given ("+p.controls().URL+"): assumed "+req.URL)
	}
	if req.Value(HeaderSecFetchDest) == "" && req.Value(HeaderAccept) == "" {
		switch p.Kind {
		case KindScenario, KindCurl, KindRawHTTP:
			// They carry the headers the request had.
		case KindJWT:
			// A bare token is what a fetch sends in Authorization: Bearer
			// (getToken() on the client); a page load carries cookies.
			req.Add(HeaderSecFetchDest, "empty")
			p.Notes = append(p.Notes, "judged as a fetch with Authorization: Bearer (Sec-Fetch-Dest: empty); "+p.controls().AsPage+" to judge it as a page load")
		default:
			req.Add(HeaderSecFetchDest, secFetchDestDocument)
			p.Notes = append(p.Notes, "judged as a page navigation (Sec-Fetch-Dest: document); "+p.controls().AsFetch+" to judge it as a fetch")
		}
	}
	setup := s
	if sc := p.Scenario; sc != nil {
		cp := *s
		if len(sc.Options) > 0 {
			opts, warnings, err := ParseOptions(sc.Options)
			if err != nil {
				p.Notes = append(p.Notes, "the scenario's options were not used: "+err.Error())
			} else {
				cp.Options, cp.Complete, cp.SecretKeyInAppEnv, cp.Backend = opts, true, false, nil
				p.Notes = append(p.Notes, warnings...)
			}
		}
		if sc.API != nil {
			cp.Options.API = sc.API
		}
		if sc.Now != nil {
			now = time.UnixMilli(*sc.Now)
		}
		setup = &cp
	}
	clockKnown := s.Now != nil || p.Scenario != nil && p.Scenario.Now != nil
	if !clockKnown {
		// A pasted header block may say when it was sent (its Date line).
		if d := req.Value("date"); d != "" {
			if t, err := http.ParseTime(d); err == nil {
				now, clockKnown = t, true
				p.Notes = append(p.Notes, "judged at the time of the pasted Date header ("+t.UTC().Format(time.RFC3339)+"); "+p.controls().Clock+" sets another clock")
			}
		}
	}
	res := setup.Judge(ctx, req, now, nil)
	if clockKnown {
		return req, res
	}
	// A paste with no clock of its own, whose token expired long before
	// now, is an old paste: what the request was depends on when it was
	// captured, so judge it within the token's lifetime and keep today's
	// verdict beside it.
	tok := res.Verdict.Token
	if tok == nil {
		tok = pastedToken(req)
	}
	if tok == nil {
		return req, res
	}
	iat, okI := tok.ClaimTime("iat")
	exp, okE := tok.ClaimTime("exp")
	if !okI || !okE || !exp.After(iat) || now.Sub(exp) < staleAfter {
		return req, res
	}
	at := iat.Add(exp.Sub(iat) / 2)
	if at.Sub(iat) > 30*time.Second {
		at = iat.Add(30 * time.Second)
	}
	then := setup.Judge(ctx, req, at, nil)
	then.Clock = &ClockNote{Sent: at, From: fmt.Sprintf("the session token's lifetime (issued %s, expires %s): a paste carries no clock, and today (%s) its token has been expired for %s",
		iat.UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339), now.UTC().Format("2006-01-02"), ago(now.Sub(exp)))}
	if then.Verdict.Status != res.Verdict.Status || then.Verdict.Reason != res.Verdict.Reason {
		then.Otherwise = &Counterfactual{At: now, Status: res.Verdict.Status, Reason: res.Verdict.Reason, Summary: res.Explanation.Summary}
	}
	p.Notes = append(p.Notes, fmt.Sprintf("the paste is stale: its session token expired %s before now, so it was judged at the time it was captured (%s); %s judges it at another time",
		ago(now.Sub(exp)), at.UTC().Format(time.RFC3339), p.controls().Clock))
	return req, then
}

// staleAfter is how long after its token expired a paste counts as old.
const staleAfter = 5 * time.Minute

// pastedToken is the session token of a pasted request (cookie or header).
func pastedToken(req Request) *JWT {
	for _, c := range req.Cookies() {
		if strings.HasPrefix(c.Name, CookieSession) {
			if tok, err := DecodeJWT(c.Value); err == nil {
				return tok
			}
		}
	}
	if a := req.Value(HeaderAuthorization); strings.HasPrefix(a, "Bearer ") {
		if tok, err := DecodeJWT(strings.TrimPrefix(a, "Bearer ")); err == nil {
			return tok
		}
	}
	return nil
}

// guessURL picks the origin a session token was minted for (its azp) when
// no URL was given.
func guessURL(req Request) string {
	for _, c := range req.Cookies() {
		if strings.HasPrefix(c.Name, CookieSession) {
			if tok, err := DecodeJWT(c.Value); err == nil {
				if azp := tok.ClaimString("azp"); strings.HasPrefix(azp, "http") {
					return strings.TrimRight(azp, "/") + "/"
				}
			}
		}
	}
	if a := req.Value(HeaderAuthorization); strings.HasPrefix(a, "Bearer ") {
		if tok, err := DecodeJWT(strings.TrimPrefix(a, "Bearer ")); err == nil {
			if azp := tok.ClaimString("azp"); strings.HasPrefix(azp, "http") {
				return strings.TrimRight(azp, "/") + "/"
			}
		}
	}
	return "https://app.invalid/"
}
