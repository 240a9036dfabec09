package har

import (
	"math/rand/v2"
	"testing"
)

// TestClosingQuote: closingQuote (in assembly on amd64) agrees with
// closingQuoteGo and with a byte-by-byte reading, on strings dense with
// quotes and backslashes, at every length around the 16-byte chunks.
func TestClosingQuote(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte(`ab"\\\"\n` + "\xff")
	for range 200000 {
		b := make([]byte, rng.IntN(70))
		for i := range b {
			b[i] = 'x'
			if rng.IntN(4) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		esc := rng.IntN(3) == 0
		want, wantEsc := -1, esc
		for i, c := range b {
			switch {
			case wantEsc:
				wantEsc = false
			case c == '"':
				want = i
			case c == '\\':
				wantEsc = true
			}
			if want >= 0 {
				wantEsc = false
				break
			}
		}
		got, gotEsc := closingQuote(b, esc)
		gogot, gogotEsc := closingQuoteGo(b, esc)
		if got != want || gotEsc != wantEsc || gogot != want || gogotEsc != wantEsc {
			t.Fatalf("%q (esc %v): closingQuote %d, %v; closingQuoteGo %d, %v; want %d, %v", b, esc, got, gotEsc, gogot, gogotEsc, want, wantEsc)
		}
	}
}
