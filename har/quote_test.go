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

// TestPlain: plain (sixteen bytes at a time in assembly on amd64) and
// plainGo agree with a byte-by-byte reading, on runs that end at every
// offset around the 16-byte chunks, with every kind of byte a plain string
// cannot hold (controls, '"', '\\', 0x7f's neighbours and bytes from 0x80),
// and with none.
func TestPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	stops := []byte{0, 0x1f, '"', '\\', 0x80, 0xff, '\n', 0xc3}
	for range 200000 {
		b := make([]byte, rng.IntN(80))
		for i := range b {
			b[i] = byte(0x20 + rng.IntN(0x60)) // ' ' to 0x7f: plain
		}
		for range rng.IntN(3) {
			if len(b) > 0 {
				b[rng.IntN(len(b))] = stops[rng.IntN(len(stops))]
			}
		}
		want := 0
		for want < len(b) && b[want] >= 0x20 && b[want] < 0x80 && b[want] != '"' && b[want] != '\\' {
			want++
		}
		if got, gogot := plain(b), plainGo(b); got != want || gogot != want {
			t.Fatalf("%q: plain %d, plainGo %d, want %d", b, got, gogot, want)
		}
	}
}
