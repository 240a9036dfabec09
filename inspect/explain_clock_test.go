package inspect

import (
	"slices"
	"strings"
	"testing"
)

// TestWithServerClock: a request judged at a server clock that is off
// names the clock first, keeps the other hints, and drops the ones the
// measured clock answers (normal once; the clock might be ahead).
func TestWithServerClock(t *testing.T) {
	other := "If pages are fine but API calls fail, send a fresh token."
	e := Explanation{Why: "Session tokens live about 60 s.", Next: []string{onceNormal + "the token expired.", clockAheadHint, other}}
	got := e.WithServerClock(600, &Counterfactual{Status: SignedIn})
	if len(got.Next) != 2 || !strings.HasPrefix(got.Next[0], "The server's clock is 10 min 0 s ahead of the correct time") || got.Next[1] != other {
		t.Errorf("Next = %q", got.Next)
	}
	if !strings.Contains(got.Why, "10 min 0 s ahead of the time at which Clerk minted") {
		t.Errorf("Why = %q", got.Why)
	}
	behind := e.WithServerClock(-30, &Counterfactual{Status: SignedIn})
	if !strings.Contains(behind.Next[0], "30 s behind the correct time") {
		t.Errorf("behind: Next[0] = %q", behind.Next[0])
	}
	if same := e.WithServerClock(600, nil); !slices.Equal(same.Next, e.Next) {
		t.Errorf("without a counterfactual the explanation changed: %q", same.Next)
	}
}
