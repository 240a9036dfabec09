package har

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestToldHeader: the tokens and __client_uat changes the story records
// are the same when a Cookie header read before is not read again
// (toldHeader) as when every header is read, over random entries that
// repeat headers, carry several __client_uat values, and set __client_uat
// and __session between the repeats.
func TestToldHeader(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	headers := []string{"__session=a; __client_uat=1", "__session=b; __client_uat=1", "__client_uat=0", "__client_uat=1; __client_uat_x=2",
		"__session=a; __session_x=c; __client_uat=2", "a=1", "__client_uat=1; __client_uat_x=1", "__session=; __client_uat=1"}
	for round := range 4 {
		fast, slow := newStory(), newStory()
		for i := range 2000 {
			e := &Entry{Index: i, StartedDateTime: at.Add(time.Duration(i) * time.Second)}
			if i%5 != 4 || rng.IntN(2) == 0 {
				e.Request.Headers = []Header{{Name: "Cookie", Value: pick(headers...)}}
			}
			if rng.IntN(6) == 0 {
				e.Response.Headers = []Header{{Name: "Set-Cookie", Value: pick("__client_uat=1", "__client_uat=2", "__client_uat=0",
					fmt.Sprintf("__session=s%d", rng.IntN(5)), "__client_uat=; Max-Age=0", "a=b")}}
			}
			j := &Judged{Entry: e, Class: ClassFetch}
			fast.tokens(j)
			slow.told = toldHeader{}
			slow.tokens(j)
		}
		if !reflect.DeepEqual(fast.Tokens, slow.Tokens) || !reflect.DeepEqual(fast.ClientUAT, slow.ClientUAT) {
			t.Fatalf("round %d: with toldHeader %d tokens, %v; reading every header %d tokens, %v", round, len(fast.Tokens), fast.ClientUAT, len(slow.Tokens), slow.ClientUAT)
		}
		if len(slow.ClientUAT) < 10 {
			t.Fatalf("round %d: only %d __client_uat changes", round, len(slow.ClientUAT))
		}
	}
}
