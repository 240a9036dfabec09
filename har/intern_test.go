package har

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// inBuffer places s at off in a buffer of n bytes of noise, as the
// scanner's buffer holds a string with other bytes after it.
func inBuffer(rng *rand.Rand, s string, off, n int) []byte {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(rng.IntN(256))
	}
	copy(buf[off:], s)
	return buf[off : off+len(s)]
}

// TestInterner: whatever bytes follow a string in its buffer, get gives
// it back equal and shared, name tells what isLean tells, and a name
// Lean mode dropped is made whole when a full read asks for it.
func TestInterner(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"", "a", "name", "value", "Cookie", "cookie", "COOKIE", "Set-Cookie", "x-clerk-auth-status",
		"Accept-Encoding", "sec-ch-ua", "access-control-allow-credentials", "access-control-allow-credentialsx",
		"startedDateTime", "12345678", "123456789", "1234567890123456", "12345678901234567", strings.Repeat("q", 24),
		strings.Repeat("r", 25), strings.Repeat("s", 31), strings.Repeat("t", 32), strings.Repeat("u", 33), strings.Repeat("v", 5000)}
	for range 200 {
		names = append(names, strings.Repeat(string(rune('a'+rng.IntN(26))), rng.IntN(40)))
	}
	var in, nm, lean interner
	for round := range 3 {
		for _, s := range names {
			n := len(s) + rng.IntN(64)
			off := rng.IntN(n - len(s) + 1)
			b := inBuffer(rng, s, off, n)
			if got := in.get(b); got != s {
				t.Fatalf("round %d: get(%q) = %q", round, s, got)
			}
			if got, keep := nm.name(b, false); got != s || !keep {
				t.Fatalf("round %d: name(%q, full) = %q, %v", round, s, got, keep)
			}
			got, keep := lean.name(b, true)
			if want := isLean(s); keep != want || keep && got != s || !keep && got != "" {
				t.Fatalf("round %d: name(%q, lean) = %q, %v; isLean %v", round, s, got, keep, want)
			}
			if got, keep := lean.name(b, false); got != s || !keep {
				t.Fatalf("round %d: name(%q, full) after Lean = %q, %v", round, s, got, keep)
			}
		}
	}
	for _, s := range []string{"text/html", strings.Repeat("w", 100)} {
		a, b := in.get(inBuffer(rng, s, 3, 200)), in.get(inBuffer(rng, s, 9, 200))
		if unsafe.StringData(a) != unsafe.StringData(b) {
			t.Errorf("%q is not shared", s)
		}
	}
}

// TestScanPacked: a plain string of fewer than 32 bytes that ends in the
// buffer is read packed as pack packs it; any other is left alone.
func TestScanPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("ab\"\\\x01\x7f\x80é ")
	for range 20000 {
		n := rng.IntN(40)
		var body []byte
		for range n {
			c := byte('a' + rng.IntN(26))
			if rng.IntN(12) == 0 {
				c = alphabet[rng.IntN(len(alphabet))]
			}
			body = append(body, c)
		}
		end := rng.IntN(len(body) + 3) // the buffer may stop before the string does
		src := append(append([]byte{'"'}, body...), '"')
		buf := make([]byte, len(src)+rng.IntN(40))
		for i := range buf {
			buf[i] = byte(rng.IntN(256))
		}
		copy(buf, src)
		b := buf[:min(1+end, len(buf))]
		p, e, ok := scanPacked(b, 1)
		k := plain(b[1:])
		want := 1+k < len(b) && b[1+k] == '"' && k < 32 && cap(b) >= 33
		if ok != want {
			t.Fatalf("%q in %d bytes: ok %v, want %v", body, len(b), ok, want)
		}
		if !ok {
			continue
		}
		wp, wok := pack(b[1:e])
		if e != 1+k || !wok || wp != p || !bytes.Equal(b[1:e], body[:k]) {
			t.Fatalf("%q: end %d (want %d), packed %x (want %x, %v)", body, e, 1+k, p, wp, wok)
		}
	}
}

// TestSmallInt: the integers smallInt reads are ParseFloat's values.
func TestSmallInt(t *testing.T) {
	for _, v := range []string{"0", "-0", "7", "-1", "200", "000123", "999999999999999", "-999999999999999", "1234567890123456", "1.5", "1e3", "-", "", "12a"} {
		f, ok := smallInt([]byte(v))
		want, err := strconv.ParseFloat(v, 64)
		if ok && (err != nil || f != want || math.Signbit(f) != math.Signbit(want)) {
			t.Errorf("smallInt(%q) = %v, ParseFloat %v, %v", v, f, want, err)
		}
		if !ok && len(v) <= 15 && v != "-0" && err == nil && strings.IndexAny(v, ".e") < 0 {
			t.Errorf("smallInt(%q) refused an integer", v)
		}
	}
}
