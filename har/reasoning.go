package har

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/words"
)

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
	if d, ok := best.dateDisagrees(); ok {
		ev = append(ev, fmt.Sprintf("the Date headers of %s are stamped by another clock, %+.0f s from the SDK's own: a CDN or proxy in front of the app writes them, so only the SDK's x-clerk-auth-message shows the app server's clock", bestHost, -d))
	}
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

func counterText(m map[inspect.Status]int) string {
	var parts []string
	for _, k := range []inspect.Status{inspect.SignedIn, inspect.SignedOut, inspect.Handshake, inspect.Throws} {
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
			d.becauseOf(c)
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

// signInLoopDiagnosis describes a page sent to sign in again and again,
// with the cause found among the other diagnoses, else the server's own
// reason.
func (f *facts) signInLoopDiagnosis(path string, idx []int, found []Diagnosis) Diagnosis {
	var reasons []string
	for r, n := range f.toSignInWhy[path] {
		reasons = append(reasons, fmt.Sprintf("%s ×%d", words.Or(r, "(none)"), n))
	}
	sort.Strings(reasons)
	d := newDiagnosis(CodeSignInLoop, Certain, fmt.Sprintf("%s sends the browser to sign in %d times", path, len(idx)), idx,
		"redirects to the sign-in page at entries "+joinInts(idx), "the server's reasons: "+strings.Join(reasons, ", "))
	for _, code := range loopCauses {
		for _, c := range found {
			if c.Code == code && c.Confidence != Possible {
				d.becauseOf(c)
				return d
			}
		}
	}
	d.Why += " The capture does not show why the server sees no session; its reasons above are the lead (no __session at all: the cookie does not reach this host; session-token-expired every time: clerk-js is not refreshing or the server's clock is ahead)."
	return d
}

// loopCauses are the causes a loop can have, the most decisive first.
var loopCauses = []string{
	CodeServerClockAhead, CodeServerClockBehind, CodeEdgeCache, CodeProxyHost, CodeNonceFailed, CodeKeysMismatch, CodeForeignToken,
	CodeOtherAppCookies, CodeAZPMissing, CodeAZPNotAllowed, CodeDevBrowserLost, CodeCookieNotSent, CodeTokenTooLarge, CodeSatelliteNoSync, CodeThirdPartyApp,
	CodeSubdomainAPI, CodeBadAuthHeader, CodeTokenNotRefreshed, CodeConfigError, CodeServerDisagrees,
}

// lowerInitial lowers a sentence's first letter to continue another one.
func lowerInitial(s string) string {
	if s == "" || strings.HasPrefix(s, "NTP") {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && r[1] >= 'A' && r[1] <= 'Z' {
		return s // an acronym
	}
	r[0] = []rune(strings.ToLower(string(r[0])))[0]
	return string(r)
}

// becauseOf names c as the cause of a loop: its title in the why, its
// first fix as the loop's fix.
func (d *Diagnosis) becauseOf(c Diagnosis) {
	d.CausedBy = c.Code
	d.Why += " Here the cause is: " + lowerInitial(c.Title) + " (" + c.Code + ")."
	d.Fix = []string{"Fix the cause (" + c.Code + ") first: " + lowerInitial(c.Fix[0])}
}
