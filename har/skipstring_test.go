package har

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSkipShortString holds skipString, which ends a string whose first
// byte that is not plain is its closing quote within sixteen bytes without
// skipStringRest, to skipStringRest alone: where it stops and its error,
// for strings with a quote, a backslash, a newline, another control or a
// byte from 0x80 at each of the first twenty places, strings cut short, and
// random ones.
func TestSkipShortString(t *testing.T) {
	var cases []string
	for _, c := range []string{`"`, `\"`, `\\`, "\n", "\t", "\x01", "\xc3\xa9", "\x80", `\`} {
		for i := 0; i <= 20; i++ {
			for _, tail := range []string{`"`, `x"`, "\n\"", `\""`} {
				cases = append(cases, `"`+strings.Repeat("a", i)+c+tail+` , "b"`)
				cases = append(cases, `"`+strings.Repeat("a", i)+c+tail)
			}
		}
	}
	for i := 0; i <= 20; i++ {
		cases = append(cases, `"`+strings.Repeat("a", i)) // cut short
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\"\\\n\t\x01\x7f\x80\xff ")
	for range 20000 {
		b := []byte{'"'}
		for n := rng.IntN(40); n > 0; n-- {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, string(b))
	}
	skip := func(in string, rest bool) string {
		// What lies in the buffer past the input is quotes.
		s := newScanner(strings.NewReader(""), len(in)+64)
		s.end = copy(s.buf, in)
		copy(s.buf[s.end:], strings.Repeat(`"`, 64))
		var err error
		if rest {
			s.pos++
			err = s.skipStringRest()
		} else {
			err = s.skipString()
		}
		return fmt.Sprintf("%d %d %v", s.abs(), s.lines, err)
	}
	fast := 0
	for _, in := range cases {
		want := skip(in, true)
		if got := skip(in, false); got != want {
			t.Fatalf("%q: skipString %s, skipStringRest %s", in, got, want)
		}
		if i := strings.IndexAny(in[1:], "\"\\\n\t\x01\x7f\x80\xff\xc3"); i >= 0 && i < 16 && in[1+i] == '"' && len(in) >= 17 {
			fast++
		}
	}
	if fast == 0 {
		t.Fatal("no case took the short way")
	}
}
