package har

import (
	"fmt"
	"testing"
)

// TestClerkFirsts: the first value of each name, as a map keeps it, for a
// header of a few Clerk cookies (looked up in place) and of many (a map).
func TestClerkFirsts(t *testing.T) {
	for _, n := range []int{0, 1, clerkFirstsInline - 1, clerkFirstsInline, clerkFirstsInline + 1, 5 * clerkFirstsInline} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var got clerkFirsts
			want := map[string]string{}
			for i := range n {
				// Every third name repeats an earlier one.
				name := fmt.Sprintf("__session_%d", i)
				if i%3 == 2 {
					name = fmt.Sprintf("__session_%d", i/3)
				}
				value := fmt.Sprint("v", i)
				if _, ok := got.get(name); !ok {
					got.put(name, value)
				}
				if _, ok := want[name]; !ok {
					want[name] = value
				}
			}
			for name, v := range want {
				if g, ok := got.get(name); !ok || g != v {
					t.Errorf("%s: got %q, %v; want %q", name, g, ok, v)
				}
			}
			if _, ok := got.get("__client_uat"); ok {
				t.Error("a name never put is found")
			}
		})
	}
}
