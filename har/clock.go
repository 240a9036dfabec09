package har

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// A capture records when the browser sent each request (startedDateTime,
// the browser's clock), but the SDK judged it at the application server's
// clock. The two differ when a machine's clock is off — the most common
// cause of fresh tokens looking expired or not yet valid. The server's own
// clock shows in its responses: the Date header (RFC 9110 §6.6.1, one-second
// resolution, stamped while answering) and, sharper, the "Current date" of
// x-clerk-auth-message, which is the SDK's own clock at the moment it
// judged. Each sample bounds the offset server − browser to an interval; the
// intervals of one server intersect around the true offset.

// ClockSample is what one response says about its server's clock.
type ClockSample struct {
	Entry int
	// Lo and Hi bound the offset server − browser, in seconds.
	Lo, Hi float64
	// Source is "Date header" or "x-clerk-auth-message".
	Source string
}

// clockSpan is what the samples of one kind say about one server's clock:
// the intersection of their intervals, or their mid-points when they
// disagree.
type clockSpan struct {
	lo, hi   float64
	n        int
	conflict bool
	mids     []float64
}

const maxClockMids = 256

// add takes a sample and tells whether the estimate (offset) may have
// changed: the first sample, a narrower or conflicting intersection, or
// one more mid-point.
func (c *clockSpan) add(s ClockSample) bool {
	changed := false
	if c.n == 0 {
		c.lo, c.hi = s.Lo, s.Hi
		changed = true
	} else if !c.conflict {
		lo, hi := math.Max(c.lo, s.Lo), math.Min(c.hi, s.Hi)
		if lo > hi {
			// The samples disagree (a clock stepped, a response stamped
			// elsewhere): fall back to the median of the mid-points.
			c.conflict = true
			changed = true
		} else {
			changed = lo != c.lo || hi != c.hi
			c.lo, c.hi = lo, hi
		}
	}
	c.n++
	if len(c.mids) < maxClockMids {
		c.mids = append(c.mids, (s.Lo+s.Hi)/2)
		changed = true
	}
	return changed
}

// offset is the best estimate of server − browser and how far off it may
// be, in seconds.
func (c *clockSpan) offset() (off, within float64) {
	if c.n == 0 {
		return 0, math.Inf(1)
	}
	if !c.conflict {
		return (c.lo + c.hi) / 2, (c.hi - c.lo) / 2
	}
	m := append([]float64(nil), c.mids...)
	sort.Float64s(m)
	med := m[len(m)/2]
	spread := 0.0
	for _, x := range m {
		spread = math.Max(spread, math.Abs(x-med))
	}
	return med, math.Min(spread, 1.5)
}

// clockAcc is the running estimate for one server (an origin). The SDK's
// own "Current date" is the clock that judged; a Date header may be
// stamped by a CDN in front of the app (Cloudflare sets its own), so it
// counts only where the SDK printed nothing — or where the SDK's clock
// is shown only by responses a cache stored whole (span).
type clockAcc struct {
	sdk, date clockSpan
	n         int
	entries   []int
	sources   map[string]int
	// split counts the responses whose Date header and SDK clock differ
	// by more than 2 s: another clock stamps the Date headers. lastSDK is
	// the SDK sample of the entry whose samples are being added (its
	// Date sample comes next), haveSDK whether there is one.
	split   int
	lastSDK ClockSample
	haveSDK bool
}

// add takes a sample and tells whether offset may have changed.
func (c *clockAcc) add(s ClockSample) bool {
	var changed bool
	if s.Source == sourceSDK {
		changed = c.sdk.add(s)
		c.lastSDK, c.haveSDK = s, true
	} else {
		changed = c.date.add(s)
		// Both samples of one response bound the same instant: their
		// difference is the difference of the two clocks, in whole seconds.
		if c.haveSDK && c.lastSDK.Entry == s.Entry && math.Abs(c.lastSDK.Lo-s.Lo) > 2 {
			c.split++
			changed = true // span may choose otherwise
		}
		c.haveSDK = false
	}
	c.n++
	if len(c.entries) < 50 && (len(c.entries) == 0 || c.entries[len(c.entries)-1] != s.Entry) {
		c.entries = append(c.entries, s.Entry)
	}
	if c.sources == nil {
		c.sources = map[string]int{}
	}
	c.sources[s.Source]++
	return changed
}

// span is the samples the estimate rests on: the SDK's clock, except
// where the Date headers disagree with it and no response shows another
// clock stamping them (a Date apart from the SDK's clock in the same
// response). Then the SDK's clock was read from responses a cache stored
// whole, their Date with them (a reverse proxy's cache, a service
// worker): it is the clock of an earlier moment, and the Date headers of
// the responses made for their requests are the server's clock.
func (c *clockAcc) span() *clockSpan {
	if _, apart := c.spanGap(); c.sdk.n > 0 && (c.split > 0 || !apart) {
		return &c.sdk
	}
	if c.date.n == 0 {
		return &c.sdk
	}
	return &c.date
}

// spanGap is how far the SDK's clock is from the Date headers' (SDK −
// Date), when they are apart by more than both are known, and 2 s.
func (c *clockAcc) spanGap() (float64, bool) {
	if c.sdk.n == 0 || c.date.n == 0 {
		return 0, false
	}
	a, wa := c.sdk.offset()
	b, wb := c.date.offset()
	if math.Abs(a-b) > wa+wb+2 {
		return a - b, true
	}
	return 0, false
}

func (c *clockAcc) offset() (off, within float64) { return c.span().offset() }

// dateDisagrees tells a Date header stamped by another clock than the
// SDK's (a CDN or proxy in front of the app), by how much: the estimate
// rests on the SDK's clock and the Date headers are apart from it.
func (c *clockAcc) dateDisagrees() (float64, bool) {
	if c.span() != &c.sdk {
		return 0, false
	}
	return c.spanGap()
}

const sourceSDK = "x-clerk-auth-message"

// ServerClock is the clock estimate of one server, as reported.
type ServerClock struct {
	// Server is "application" or "Frontend API"; Host the origin's host.
	Server string `json:"server"`
	Host   string `json:"host"`
	// Seconds is the offset server − browser; Within how precise it is.
	Seconds float64 `json:"seconds"`
	Within  float64 `json:"within"`
	Samples int     `json:"samples"`
	// Sources counts the samples by kind (Date header, x-clerk-auth-message).
	Sources map[string]int `json:"sources"`
	Entries []int          `json:"entries"`
}

// clockBook keeps one estimate per origin (host and port). Whether a host
// is the Frontend API is asked when reading, since the instance may be
// inferred only after the first samples.
//
// app is asked of every entry, and a pooled estimate copies and sorts the
// hosts' mid-points: it keeps its last answers while no estimate changed
// (est counts the changes), its count while no sample came (adds), and
// the application hosts while no host came and isFAPI's answers did not
// change (hosts counts those; an Analyzer tells fapiChanged when it learns
// a Frontend API host).
type clockBook struct {
	byHost map[string]*clockAcc
	order  []string
	isFAPI func(host string) bool

	est, adds, hosts uint64
	// apps are the accumulators of the application hosts, in order, as
	// of hosts == appsAt-1.
	apps   []*clockAcc
	appsAt uint64
	// own and pool are app's last answers for a host of its own and for
	// the pooled estimate.
	own, pool clockMemo
}

// clockMemo is an offset as of est == at-1, and for the pooled one the
// count as of adds == nAt-1, both as of hosts == hostsAt-1.
type clockMemo struct {
	host             string
	at, nAt, hostsAt uint64
	off, within      float64
	n                int
}

func (b *clockBook) add(host string, s ClockSample) {
	if b.byHost == nil {
		b.byHost = map[string]*clockAcc{}
	}
	acc := b.byHost[host]
	if acc == nil {
		acc = &clockAcc{}
		b.byHost[host] = acc
		b.order = append(b.order, host)
		b.hosts++
	}
	if acc.add(s) {
		b.est++
	}
	b.adds++
}

// fapiChanged says that isFAPI may answer otherwise for a host.
func (b *clockBook) fapiChanged() { b.hosts++ }

// appAccs are the accumulators of the hosts that are not the Frontend
// API's, in order.
func (b *clockBook) appAccs() []*clockAcc {
	if b.appsAt != b.hosts+1 {
		b.apps = b.apps[:0]
		for _, h := range b.order {
			if !b.fapi(h) {
				b.apps = append(b.apps, b.byHost[h])
			}
		}
		b.appsAt = b.hosts + 1
	}
	return b.apps
}

func (b *clockBook) fapi(host string) bool {
	if b.isFAPI == nil {
		return false
	}
	h := host
	if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	return b.isFAPI(h)
}

// pooled merges the estimates of the hosts that pass keep.
func (b *clockBook) pooled(keep func(host string) bool) *clockSpan {
	var accs []*clockAcc
	for _, h := range b.order {
		if keep(h) {
			accs = append(accs, b.byHost[h])
		}
	}
	return pooledSpan(accs)
}

// app returns the estimate for an application host: its own, else the
// pooled estimate of every application host; n is 0 without samples.
func (b *clockBook) app(host string) (off, within float64, n int) {
	if acc := b.byHost[host]; acc != nil && !b.fapi(host) {
		if m := &b.own; m.at != b.est+1 || m.host != host {
			m.off, m.within = acc.offset()
			m.host, m.at = host, b.est+1
		}
		return b.own.off, b.own.within, acc.n
	}
	accs := b.appAccs()
	if len(accs) == 0 {
		return 0, math.Inf(1), 0
	}
	m := &b.pool
	hostsStale := m.hostsAt != b.hosts+1
	if hostsStale || m.nAt != b.adds+1 {
		m.n = 0
		for _, a := range accs {
			m.n += a.span().n
		}
		m.nAt = b.adds + 1
	}
	if hostsStale || m.at != b.est+1 {
		m.off, m.within = pooledSpan(accs).offset()
		m.at = b.est + 1
	}
	m.hostsAt = b.hosts + 1
	return m.off, m.within, m.n
}

// pooledSpan merges the estimates of accs, in their order: a copy of the
// first one's, the others' mid-points after (nil without any).
func pooledSpan(accs []*clockAcc) *clockSpan {
	var out *clockSpan
	for _, acc := range accs {
		a := acc.span()
		if out == nil {
			cp := *a
			cp.mids = append([]float64(nil), a.mids...)
			out = &cp
			continue
		}
		out.n += a.n
		out.mids = append(out.mids, a.mids...)
		out.conflict = true
	}
	return out
}

// fapiOffset is the pooled Frontend API estimate (ok false without samples).
func (b *clockBook) fapiOffset() (off, within float64, ok bool) {
	p := b.pooled(b.fapi)
	if p == nil {
		return 0, 0, false
	}
	off, within = p.offset()
	return off, within, true
}

func (b *clockBook) report() []ServerClock {
	var out []ServerClock
	for _, h := range b.order {
		a := b.byHost[h]
		off, within := a.offset()
		server := "application"
		if b.fapi(h) {
			server = "Frontend API"
		}
		src := map[string]int{}
		for k, v := range a.sources {
			src[k] = v
		}
		out = append(out, ServerClock{Server: server, Host: h, Seconds: round1(off), Within: round1(within), Samples: a.n, Sources: src, Entries: a.entries})
	}
	return out
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// currentDate finds the SDK's clock in x-clerk-auth-message ("…, Current
// date: Tue, 24 Nov 2026 07:06:36 GMT." or "…; Current date: …;").
var currentDate = regexp.MustCompile(`Current date: ([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)`)

// sdkClock returns the SDK's clock as its message printed it.
func sdkClock(msg string) (time.Time, bool) {
	m := currentDate.FindStringSubmatch(msg)
	if m == nil {
		return time.Time{}, false
	}
	t, err := http.ParseTime(m[1])
	return t, err == nil
}

// Cached tells whether a response was served from a cache (a CDN, the edge,
// a proxy) rather than produced for this request, from the standard Age
// and Cache-Status headers (RFC 9111, RFC 9211) and the vendors' own.
func (e *Entry) Cached() (bool, string) {
	// The first value of each header the rules read, found in one pass.
	// Every name starts with a, c or x, letters no other character folds
	// to: a header starting otherwise is none of them.
	var vals [len(cacheHeaders)]string
	var found [len(cacheHeaders)]bool
	for _, h := range e.Response.Headers {
		if h.Name == "" {
			continue
		}
		if c := h.Name[0] | 0x20; c != 'a' && c != 'c' && c != 'x' {
			continue
		}
		for i, name := range cacheHeaders {
			if !found[i] && equalFold(h.Name, name) {
				vals[i], found[i] = h.Value, true
			}
		}
	}
	if a := vals[cacheAge]; a != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(a)); err == nil && n > 0 {
			return true, "Age: " + a
		}
	}
	if vals[cachePrerender] == "1" {
		return true, "x-nextjs-prerender: 1 (a page rendered at build time)"
	}
	for i := cacheFirstCDN; i < cacheStatus; i++ {
		v := strings.ToUpper(vals[i])
		if strings.Contains(v, "HIT") || strings.Contains(v, "STALE") || v == "UPDATING" || v == "REVALIDATED" {
			return true, cacheHeaders[i] + ": " + vals[i]
		}
	}
	if cs := vals[cacheStatus]; cs != "" {
		for _, part := range strings.Split(cs, ",") {
			for _, p := range strings.Split(part, ";") {
				if strings.TrimSpace(strings.ToLower(p)) == "hit" {
					return true, "Cache-Status: " + cs
				}
			}
		}
	}
	return false, ""
}

// cacheHeaders are the response headers Cached reads, in the order of its
// rules: Age, Next.js's prerender mark, the CDNs' cache headers, and
// Cache-Status (RFC 9211).
var cacheHeaders = [...]string{"age", "x-nextjs-prerender", "cf-cache-status", "x-vercel-cache", "x-cache", "x-nextjs-cache", "x-netlify-cache", "cdn-cache", "x-cache-status", "x-proxy-cache", "x-fastly-cache", "cache-status"}

const (
	cacheAge       = 0
	cachePrerender = 1
	cacheFirstCDN  = 2
	cacheStatus    = len(cacheHeaders) - 1
)

// clockSamples reads what an entry says about its server's clock.
func clockSamples(e *Entry) []ClockSample {
	c, _ := e.Cached()
	return clockSamplesOf(e, c)
}

// clockSamplesOf is clockSamples of an entry whose Cached is known.
func clockSamplesOf(e *Entry, cached bool) []ClockSample {
	if e.StartedDateTime.IsZero() || e.Response.Status == 0 {
		return nil
	}
	if cached {
		return nil
	}
	start := float64(e.StartedDateTime.UnixNano()) / 1e9
	dur := math.Max(e.Time, 0) / 1000
	if dur > 120 {
		dur = 120
	}
	var out []ClockSample
	if t, ok := sdkClock(e.ResponseHeader("x-clerk-auth-message")); ok {
		// The SDK judged while the request was in flight.
		s := float64(t.Unix())
		out = append(out, ClockSample{Entry: e.Index, Lo: s - (start + dur), Hi: s + 1 - start, Source: sourceSDK})
	}
	if d := e.ResponseHeader("date"); d != "" {
		if t, err := http.ParseTime(d); err == nil {
			s := float64(t.Unix())
			out = append(out, ClockSample{Entry: e.Index, Lo: s - (start + dur), Hi: s + 1 - start, Source: "Date header"})
		}
	}
	return out
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// clockSettled tells whether the application's clock is measured well
// enough to judge the entries waiting for it.
func (a *Analyzer) clockSettled() bool {
	if a.Setup.Now != nil {
		return true
	}
	_, within, n := a.clock.app("")
	return n >= 4 || n > 0 && within <= 0.6
}

// Skew thresholds: an offset is used to judge when it is this large and
// measured this precisely (seconds).
const (
	skewApply  = 2.0
	skewWithin = 1.0
)

// judgeAtServerClock judges an application entry at the clock its server
// really had: the browser's startedDateTime shifted by the measured offset
// of that server, when the offset is real (≥ 2 s, known within 1 s), and
// at the second the SDK printed in its own message when there is one. The
// verdict at the correct clock (the Frontend API's, which mints the
// tokens, else the browser's) is kept beside it when it differs.
func (a *Analyzer) judgeAtServerClock(ctx context.Context, e *Entry, req inspect.Request, obs *inspect.Observation) inspect.Result {
	sent := e.StartedDateTime
	if sent.IsZero() {
		sent = time.Now()
	}
	if a.Setup.Now != nil || e.StartedDateTime.IsZero() {
		return a.Setup.Judge(ctx, req, sent, obs)
	}
	host := a.urls.host(e.Request.URL)
	off, within, n := a.clock.app(host)
	if n == 0 || math.Abs(off) < skewApply || within > skewWithin {
		return a.Setup.Judge(ctx, req, sent, obs)
	}
	at := sent.Add(time.Duration(off * float64(time.Second)))
	if cached, _ := a.cached.of(e); !cached {
		if t, ok := sdkClock(e.ResponseHeader("x-clerk-auth-message")); ok {
			if at.Before(t) {
				at = t.Add(500 * time.Millisecond)
			} else if !at.Before(t.Add(time.Second)) {
				at = t.Add(500 * time.Millisecond)
			}
		}
	}
	res := a.Setup.Judge(ctx, req, at, obs)
	ref, _, ok := a.clock.fapiOffset()
	if !ok || math.Abs(ref) < skewApply {
		ref = 0
	}
	from := fmt.Sprintf("%d Date header(s) of %s", n, host)
	if acc := a.clock.byHost[host]; acc != nil && acc.sources["x-clerk-auth-message"] > 0 {
		from = fmt.Sprintf("%d sample(s) of %s's Date headers and the SDK's own x-clerk-auth-message", acc.n, host)
	}
	res.Clock = &inspect.ClockNote{Sent: sent, OffsetSeconds: round1(off), From: from}
	correct := sent.Add(time.Duration(ref * float64(time.Second)))
	alt := a.Setup.Judge(ctx, req, correct, obs)
	if alt.Verdict.Status != res.Verdict.Status || alt.Verdict.Reason != res.Verdict.Reason {
		res.Otherwise = &inspect.Counterfactual{At: correct, Status: alt.Verdict.Status, Reason: alt.Verdict.Reason, Summary: alt.Explanation.Summary}
		res.Explanation = res.Explanation.WithServerClock(off-ref, res.Otherwise)
	}
	return res
}
