package har

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestClosingQuote: closingQuote (in assembly on amd64) agrees with
// closingQuoteGo and with a byte-by-byte reading, on strings dense with
// quotes and backslashes, at every length around the 16-byte chunks, and
// on strings of several 64-byte blocks with runs of backslashes across
// them.
func TestClosingQuote(t *testing.T) {
	withoutAVX2(t, testClosingQuote)
}

func testClosingQuote(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte(`ab"\\\"\n` + "\xff")
	for n := range 300000 {
		// Short strings, and long ones of several 64-byte blocks whose
		// runs of backslashes cross the blocks' edges.
		size, dense := rng.IntN(70), 4
		if n%3 == 0 {
			size, dense = rng.IntN(400), 2+rng.IntN(60)
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = 'x'
			if rng.IntN(dense) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		if n%3 == 0 && size > 0 && rng.IntN(2) == 0 {
			// A long run of backslashes, then a quote, somewhere.
			at, run := rng.IntN(size), 1+rng.IntN(140)
			for i := at; i < size && i < at+run; i++ {
				b[i] = '\\'
			}
			if at+run < size {
				b[at+run] = '"'
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
		// stringEnd's clean start holds no newline and ends by the quote.
		if q, _, clean := stringEnd(b, esc); clean < 0 || clean > len(b) || q >= 0 && clean > q || bytes.IndexByte(b[:clean], '\n') >= 0 {
			t.Fatalf("%q (esc %v): stringEnd clean %d, quote at %d", b, esc, clean, q)
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
