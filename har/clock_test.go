package har

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestClockBookMemo: app's kept answers are the ones worked out afresh
// (each host's own estimate, or every application host's pooled), after
// every sample of a random run: agreeing and conflicting samples, both
// kinds, past the 256 mid-points a span keeps, a response's SDK clock and
// Date apart (the span chosen changes), and a host that becomes the
// Frontend API's on the way.
func TestClockBookMemo(t *testing.T) {
	fapi := map[string]bool{"clerk.a.test": true}
	b := clockBook{isFAPI: func(h string) bool { return fapi[h] }}
	hosts := []string{"a.test", "b.test", "clerk.a.test", "c.test"}
	rng := rand.New(rand.NewPCG(1, 2))
	fresh := func(host string) (float64, float64, int) {
		if acc := b.byHost[host]; acc != nil && !b.fapi(host) {
			off, within := acc.offset()
			return off, within, acc.n
		}
		p := b.pooled(func(h string) bool { return !b.fapi(h) })
		if p == nil {
			return 0, math.Inf(1), 0
		}
		off, within := p.offset()
		return off, within, p.n
	}
	check := func(step int) {
		for _, h := range append(hosts, "", "none.test") {
			off, within, n := b.app(h)
			wo, ww, wn := fresh(h)
			if off != wo || within != ww || n != wn {
				t.Fatalf("step %d: app(%q) = %v %v %d, want %v %v %d", step, h, off, within, n, wo, ww, wn)
			}
		}
	}
	check(-1)
	for i := range 1500 {
		h := hosts[rng.IntN(len(hosts))]
		if i > 300 && h == "c.test" && i%2 == 0 {
			h = "b.test" // c.test gets fewer samples
		}
		center := 3.0
		if rng.IntN(40) == 0 {
			center = -7 // a stepped clock: the intersection conflicts
		}
		lo := center - rng.Float64()
		s := ClockSample{Entry: i, Lo: lo, Hi: lo + 0.2 + rng.Float64(), Source: "Date header"}
		if rng.IntN(5) == 0 {
			s.Source = sourceSDK
		}
		b.add(h, s)
		if s.Source == sourceSDK && rng.IntN(2) == 0 {
			// The same response's Date, at times another clock's: the
			// span the estimate rests on may change.
			d := s
			d.Source = "Date header"
			if rng.IntN(3) == 0 {
				d.Lo, d.Hi = d.Lo+5, d.Hi+5
			}
			b.add(h, d)
			check(i)
		}
		if i == 900 {
			fapi["b.test"] = true
			b.fapiChanged()
		}
		check(i)
	}
}

// TestClockBookMemoSplit: the first response whose Date is apart from its
// SDK clock makes the estimate rest on the SDK's clock again, and app
// says so though the Date span, full, did not change.
func TestClockBookMemoSplit(t *testing.T) {
	var b clockBook
	for i := range 300 {
		b.add("a.test", ClockSample{Entry: i, Lo: 10, Hi: 11, Source: "Date header"})
	}
	b.add("a.test", ClockSample{Entry: 300, Lo: 0, Hi: 1, Source: sourceSDK})
	if off, _, _ := b.app("a.test"); off != 10.5 {
		t.Fatalf("before the split the Date headers' clock is the estimate: %v, want 10.5", off)
	}
	b.add("a.test", ClockSample{Entry: 301, Lo: 0, Hi: 1, Source: sourceSDK})
	b.app("a.test")
	b.app("")
	b.add("a.test", ClockSample{Entry: 301, Lo: 10, Hi: 11, Source: "Date header"})
	for _, h := range []string{"a.test", ""} {
		if off, _, n := b.app(h); off != 0.5 || n != 303 && h == "a.test" || n != 2 && h == "" {
			t.Errorf("app(%q) after the split = %v, %d; want the SDK's clock, 0.5", h, off, n)
		}
	}
}
