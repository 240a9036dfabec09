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
	pending []pendingEntry
	// clock estimates each server's clock from its responses.
	clock clockBook
	// proxied maps an origin the browser used to the one the SDK saw.
	proxied map[string]proxyHint
	// urls parses the entries' URLs once.
	urls urlCache
	// cached is Entry.Cached of the entry judged last.
	cached cachedMemo
	// aside runs the story's add on a goroutine of its own (TellAside).
	aside *storyPipe
}

// storyItem is a judged entry on its way to the story, with the
// application server's clock as the analysis knew it when the entry was
// judged: the story's facts read it there, and the clock goes on learning
// from the entries after.
type storyItem struct {
	j   *Judged
	clk appClock
	// urls, cached and marks are the analysis's caches as it left them
	// with the entry (its URL parsed, its Cached, its Cookie header's
	// marks): the story's goroutine starts from them instead of working
	// them out again.
	urls   urlCache
	cached cachedMemo
	marks  cookieMarks
}

// pendingEntry is an entry waiting to be judged (Analyzer.pending), with
// the URL and Cached caches as Add left them with it, so that judging it
// does not work them out again.
type pendingEntry struct {
	e      *Entry
	urls   urlCache
	cached cachedMemo
}

// appClock is clockBook.app of an entry's host, read for a judged response
// of the SDK's own that was not served from a cache (ok), the only ones
// whose facts ask for it.
type appClock struct {
	off, within float64
	n           int
	ok          bool
}

// storyPipe feeds the story on its goroutine, in the capture's order, in
// batches (one channel send per storyBatch entries).
type storyPipe struct {
	ch    chan []storyItem
	done  chan struct{}
	batch []storyItem
	// free takes the batches told back, cleared, for tell to fill again
	// instead of making one each time (a batch is ≈ 24 KB).
	free chan []storyItem
	// panicked is what the story's goroutine panicked with, panicked
	// again on the analysis's (settle) so that it ends as a panic of the
	// caller's would.
	panicked any
}

const storyBatch = 128

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
	a.Classifier.urls = &a.urls
	a.Classifier.cached = &a.cached
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
	a.urls.parse(e.Request.URL)
	cached, _ := a.cached.of(e)
	for _, s := range clockSamplesOf(e, cached) {
		a.clock.add(a.urls.host(e.Request.URL), s)
	}
	a.learnProxy(e)
	if a.infer {
		a.inferInstance(e, a.Classifier.Classify(e))
	}
	if (a.infer || !a.clockSettled()) && len(a.pending) < lookahead {
		a.pending = append(a.pending, pendingEntry{e: e, urls: a.urls, cached: a.cached})
		return nil
	}
	if len(a.pending) > 0 {
		urls, cached := a.urls, a.cached
		out := a.Flush(ctx)
		a.urls, a.cached = urls, cached
		return append(out, a.judge(ctx, e))
	}
	return []*Judged{a.judge(ctx, e)}
}

// Flush judges the entries still waiting for the instance.
func (a *Analyzer) Flush(ctx context.Context) []*Judged {
	a.infer = false
	out := make([]*Judged, 0, len(a.pending))
	for i := range a.pending {
		p := &a.pending[i]
		a.urls, a.cached = p.urls, p.cached
		out = append(out, a.judge(ctx, p.e))
	}
	clear(a.pending)
	a.pending = a.pending[:0]
	return out
}

// judge classifies and judges one entry, and adds it to the story.
func (a *Analyzer) judge(ctx context.Context, e *Entry) *Judged {
	j := &Judged{Entry: e, Class: a.Classifier.Classify(e)}
	j.Observed = observe(e)
	if j.Class.IsApp() {
		cookie, _ := a.cached.cookieHeader(e)
		j.Request = e.requestWith(cookie)
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
	a.tell(storyItem{j: j, clk: a.appClockOf(j)})
	return j
}

// appClockOf reads the application server's clock for j's story, as
// facts.observe asks for it.
func (a *Analyzer) appClockOf(j *Judged) appClock {
	e := j.Entry
	if !j.Judged || j.Class != ClassHandshakeRedirect && !a.cached.clerkHeaders(e) {
		return appClock{}
	}
	if cached, _ := a.cached.of(e); cached {
		return appClock{}
	}
	off, within, n := a.clock.app(a.urls.host(e.Request.URL))
	return appClock{off: off, within: within, n: n, ok: true}
}

// TellAside makes the analysis tell its story on a goroutine of its own,
// so that judging the next entries overlaps with it: the story is read
// only once the capture ends (Finish waits for it), it does not change the
// judged entries it reads (a sink may read them at the same time), and
// what it reads of the analysis as it goes (the servers' clocks) comes
// with each entry. Call it before the first Add; Finish, or Settle when
// the analysis is abandoned, ends the goroutine.
func (a *Analyzer) TellAside() {
	if a.aside != nil {
		return
	}
	// The caches the story shared with the analysis are its own now.
	a.Story.urls, a.Story.cached, a.Story.cookieMarks = &urlCache{}, &cachedMemo{}, &cookieMarks{}
	p := &storyPipe{ch: make(chan []storyItem, 4), done: make(chan struct{}), batch: make([]storyItem, 0, storyBatch), free: make(chan []storyItem, 6)}
	go func() {
		defer close(p.done)
		defer func() {
			if r := recover(); r != nil {
				p.panicked = r
				for range p.ch {
				}
			}
		}()
		st := a.Story
		for b := range p.ch {
			for i := range b {
				it := &b[i]
				*st.urls, *st.cached, *st.cookieMarks = it.urls, it.cached, it.marks
				st.add(it.j, it.clk)
			}
			clear(b)
			select {
			case p.free <- b[:0]:
			default:
			}
		}
	}()
	a.aside = p
}

// tell adds a judged entry to the story, or to the batch for its
// goroutine.
func (a *Analyzer) tell(it storyItem) {
	p := a.aside
	if p == nil {
		a.Story.add(it.j, it.clk)
		return
	}
	e := it.j.Entry
	a.urls.parse(e.Request.URL)
	a.cached.of(e)
	it.urls, it.cached, it.marks = a.urls, a.cached, *a.Classifier.marks
	p.batch = append(p.batch, it)
	if len(p.batch) == storyBatch {
		p.ch <- p.batch
		select {
		case p.batch = <-p.free:
		default:
			p.batch = make([]storyItem, 0, storyBatch)
		}
	}
}

// Settle waits for the story's goroutine (TellAside) to have told every
// entry judged so far, and ends it; the story is told on the caller's
// goroutine after. Without TellAside it does nothing.
func (a *Analyzer) Settle() {
	p := a.aside
	if p == nil {
		return
	}
	a.aside = nil
	if len(p.batch) > 0 {
		p.ch <- p.batch
	}
	close(p.ch)
	<-p.done
	if p.panicked != nil {
		panic(p.panicked)
	}
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
	if cached, _ := c.of(e); e.Response.Status > 0 && c.clerkHeaders(e) && !cached {
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
		a.clock.fapiChanged()
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
	a.Settle()
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
