package inspect

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// WithServerClock rewrites an explanation for a request the server judged
// at a clock that is off by offset seconds (server minus the correct
// time), when a correct clock would have given another verdict: no
// handshake is "normal once" then, the clock is named first, and the
// guess that the clock might be ahead is left out.
func (e Explanation) WithServerClock(offset float64, otherwise *Counterfactual) Explanation {
	if otherwise == nil || math.Abs(offset) < 1 {
		return e
	}
	dir := "ahead of"
	if offset < 0 {
		dir = "behind"
	}
	d := ago(time.Duration(math.Abs(offset) * float64(time.Second)))
	alt := string(otherwise.Status)
	if otherwise.Reason != "" {
		alt += " (" + otherwise.Reason + ")"
	}
	lead := fmt.Sprintf("The server's clock is %s %s the correct time, and the SDK judged this request at the server's clock; with a correct clock it would be %s. Synchronise the server's clock (NTP); raising clockSkewInMs past the offset is only a stopgap.", d, dir, alt)
	next := []string{lead}
	for _, n := range e.Next {
		if strings.HasPrefix(n, onceNormal) || n == clockAheadHint {
			continue
		}
		next = append(next, n)
	}
	e.Next = next
	e.Why = strings.TrimSpace(e.Why + fmt.Sprintf(" Here the cause is the server's clock, %s %s the time at which Clerk minted the token.", d, dir))
	return e
}
