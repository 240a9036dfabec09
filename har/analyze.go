package har

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/clerkscope/clerkscope/inspect"
)

// Judged is one entry with its class and, for application entries, the
// engine's verdict next to what the captured response said.
type Judged struct {
	Entry    *Entry
	Class    Class
	Request  inspect.Request
	Result   inspect.Result
	Observed ObservedResponse
	// Judged is false for Frontend API entries (the SDK does not run there).
	Judged bool
	// Pasted holds the parsed Set-Cookie lines of a pasted input.
	Pasted []inspect.SetCookie
}

// Analyzer judges a capture entry by entry and collects its story.
type Analyzer struct {
	Setup      *inspect.Setup
	Classifier Classifier
	Story      *Story
	// infer is set when the instance must be inferred from the capture.
	infer bool
	// pending holds the first entries while the instance is still being
	// inferred or the servers' clocks measured, so that they are judged
	// against them too.
	pending []*Entry
	// clock estimates each server's clock from its responses.
	clock clockBook
	// proxied maps an origin the browser used to the one the SDK saw.
	proxied map[string]proxyHint
	// urls parses the entries' URLs once.
	urls urlCache
	// cached is Entry.Cached of the entry judged last.
	cached cachedMemo
}

// lookahead bounds how many entries wait for the instance to be inferred.
const lookahead = 256

// NewAnalyzer prepares an analysis with a judging setup.
func NewAnalyzer(setup *inspect.Setup) *Analyzer {
	own := *setup
	a := &Analyzer{Setup: &own, Classifier: Classifier{FAPIHosts: map[string]bool{}}, Story: newStory()}
	a.clock.isFAPI = a.Classifier.IsFAPIHost
	a.Story.clock = &a.clock
	a.Story.urls = &a.urls
	a.Story.cached = &a.cached
	a.Classifier.marks = &cookieMarks{}
	a.Story.cookieMarks = a.Classifier.marks
	a.Story.setup = a.Setup
	a.infer = setup.Options.PublishableKey == "" && !setup.Complete
	if pk, err := inspect.ParsePublishableKey(setup.Options.PublishableKey); err == nil {
		a.Classifier.FAPIHosts[pk.FrontendAPI] = true
	}
	if p := setup.Options.ProxyURL; p != "" {
		if strings.HasPrefix(p, "/") {
			a.Classifier.ProxyPath = strings.TrimRight(p, "/")
		} else if u, err := url.Parse(p); err == nil {
			a.Classifier.ProxyPath = strings.TrimRight(u.Path, "/")
		}
	}
	return a
}

// Add takes the next entry of the capture and returns the entries now
// judged, in order. The first entries wait (at most 256) until the capture
// reveals its instance (without a publishable key) and the application
// server's clock; Flush returns the rest. ctx bounds the key fetches.
func (a *Analyzer) Add(ctx context.Context, e *Entry) []*Judged {
	cached, _ := a.cached.of(e)
	for _, s := range clockSamplesOf(e, cached) {
		a.clock.add(a.urls.host(e.Request.URL), s)
	}
	a.learnProxy(e)
	if a.infer {
		a.inferInstance(e, a.Classifier.Classify(e))
	}
	if (a.infer || !a.clockSettled()) && len(a.pending) < lookahead {
		a.pending = append(a.pending, e)
		return nil
	}
	if len(a.pending) > 0 {
		out := a.Flush(ctx)
		return append(out, a.judge(ctx, e))
	}
	return []*Judged{a.judge(ctx, e)}
}

// Flush judges the entries still waiting for the instance.
func (a *Analyzer) Flush(ctx context.Context) []*Judged {
	a.infer = false
	out := make([]*Judged, 0, len(a.pending))
	for _, p := range a.pending {
		out = append(out, a.judge(ctx, p))
	}
	a.pending = nil
	return out
}

// judge classifies and judges one entry, and adds it to the story.
func (a *Analyzer) judge(ctx context.Context, e *Entry) *Judged {
	j := &Judged{Entry: e, Class: a.Classifier.Classify(e)}
	j.Observed = observe(e)
	if j.Class.IsApp() {
		j.Request = e.ToRequest()
		obs := &inspect.Observation{Status: e.Response.Status, SetCookies: e.SetCookies(), Headers: make([]inspect.Header, 0, len(e.Response.Headers))}
		for _, h := range e.Response.Headers {
			obs.Headers = append(obs.Headers, inspect.Header{Name: h.Name, Value: h.Value})
		}
		sdkReq, note := a.behindProxy(j.Request)
		j.Result = a.judgeAtServerClock(ctx, e, sdkReq, obs)
		if note != "" {
			j.Request = sdkReq
			j.Result.Verdict.Assumptions = append([]string{note}, j.Result.Verdict.Assumptions...)
		}
		j.Judged = true
		j.Observed.Agrees = agreement(j, &a.cached)
	}
	a.Story.add(j)
	return j
}

// observe is what the response of e showed of the SDK's answer (Agrees is
// set once the entry is judged: agreement).
func observe(e *Entry) ObservedResponse {
	return ObservedResponse{
		HTTPStatus: e.Response.Status,
		AuthStatus: e.ResponseHeader("x-clerk-auth-status"),
		AuthReason: e.ResponseHeader("x-clerk-auth-reason"),
		Location:   e.ResponseHeader("location"),
	}
}

// agreement is whether a judged entry's verdict agrees with the SDK's
// headers in its response (nil: the response shows none, or came from
// the cache).
func agreement(j *Judged, c *cachedMemo) *bool {
	e := j.Entry
	if cached, _ := c.of(e); e.Response.Status > 0 && hasClerkHeaders(e) && !cached {
		agrees := agreesWith(j)
		return &agrees
	}
	return nil
}

// inferInstance learns the instance from the capture itself when no
// publishable key was given: a handshake redirect's Location, a Frontend API
// host the browser talked to, or a token's issuer, whichever comes first.
func (a *Analyzer) inferInstance(e *Entry, c Class) {
	host, from := "", ""
	if loc := e.ResponseHeader("location"); strings.Contains(loc, "/v1/client/handshake") {
		if u, err := url.Parse(loc); err == nil && a.Classifier.IsFAPIHost(u.Hostname()) {
			host, from = u.Host, fmt.Sprintf("the handshake redirect of entry %d", e.Index)
		}
	}
	if host == "" && c == ClassFAPI {
		if u, err := url.Parse(e.Request.URL); err == nil && (strings.HasPrefix(u.Path, "/v1/") || strings.Contains(u.Path, "clerk-js")) && !strings.HasPrefix(u.Host, "api.") && !strings.HasPrefix(u.Host, "img.") {
			host, from = u.Host, fmt.Sprintf("the Frontend API traffic to %s (entry %d)", u.Host, e.Index)
		}
	}
	if host == "" && c.IsApp() {
		if key, src := inspect.InferPublishableKey(e.ToRequest()); key != "" {
			a.Setup.Options.PublishableKey = key
			a.Setup.InferredFrom = fmt.Sprintf("from the %s (entry %d)", src, e.Index)
			a.infer = false
			a.noteFAPI(key)
			return
		}
	}
	if host != "" {
		key := inspect.BuildPublishableKey(host)
		a.Setup.Options.PublishableKey = key
		a.Setup.InferredFrom = "from " + from
		a.infer = false
		a.noteFAPI(key)
	}
}

func (a *Analyzer) noteFAPI(key string) {
	if pk, err := inspect.ParsePublishableKey(key); err == nil {
		a.Classifier.FAPIHosts[pk.FrontendAPI] = true
	}
}

// hasClerkHeaders tells whether the response shows the SDK's own headers
// (a Clerk middleware answered; signed-in responses carry none).
func hasClerkHeaders(e *Entry) bool {
	return e.ResponseHeader("x-clerk-auth-status") != "" || e.ResponseHeader("x-clerk-auth-reason") != ""
}

func agreesWith(j *Judged) bool {
	v := j.Result.Verdict
	status := inspect.Status(j.Observed.AuthStatus)
	if status == "" {
		status = inspect.SignedIn
	}
	if status != v.Status {
		return false
	}
	return j.Observed.AuthReason == "" || j.Observed.AuthReason == v.Reason
}

// Finish completes the story after the last entry (call Flush first).
func (a *Analyzer) Finish(log Log) *Story {
	a.Story.finish(log)
	if f, ok := cappedFinding(log); ok {
		a.Story.Findings = append(a.Story.Findings, f)
	}
	return a.Story
}

// ClerkRelevant tells the requests worth a person's attention: page loads,
// handshakes and anything carrying Clerk cookies or an Authorization
// header; static assets, cookieless calls and the Frontend API's own
// traffic (but for the handshake) are not.
func (j *Judged) ClerkRelevant() bool {
	switch j.Class {
	case ClassFAPI:
		return j.Entry != nil && strings.Contains(j.Entry.Request.URL, "/v1/client/handshake")
	case ClassAsset:
		return false
	case ClassDocument, ClassHandshakeRedirect, ClassHandshakeReturn:
		return true
	}
	if j.Request.Value("authorization") != "" {
		return true
	}
	c := j.Request.Value("cookie")
	return strings.Contains(c, "__session") || strings.Contains(c, "__client_uat") || strings.Contains(c, "__clerk") ||
		strings.Contains(c, "__refresh")
}
