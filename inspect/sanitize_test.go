package inspect

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile carries every kind of terminal control a capture can: OSC 52
// (writes the clipboard), CSI 2J (clears the screen), OSC 0 (renames the
// window), SGR (forges colour), C1 CSI, DEL, a carriage return, a bidi
// override, an isolate and a byte that is not UTF-8.
const hostile = "a\x1b]52;c;ZWNobyBwd25lZA==\x07b\x1b[2Jc\x1b]0;pwned\x07d\x1b[32mSIGNED-IN\x1b[0me\u009b31mf\x7fg\rh\u202ei\u2066j\xffk\n\tl"

// RawControls lists the bytes in s a terminal would act on: C0 controls
// other than newline and tab, DEL, C1 and bidi controls, and invalid UTF-8.
func rawControls(s string) []string {
	var found []string
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				found = append(found, "invalid byte")
			}
		case unsafeRune(r):
			found = append(found, string(appendEscape(nil, r, false)))
		}
	}
	return found
}

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain text is unchanged", "GET https://example.com/?a=1 → signed-in ‹sig#1a2b›\n\tok", "GET https://example.com/?a=1 → signed-in ‹sig#1a2b›\n\tok"},
		{"OSC 52", "\x1b]52;c;ZWNobw==\x07", `\x1b]52;c;ZWNobw==\x07`},
		{"CSI and SGR", "\x1b[2J\x1b[32mgreen\x1b[0m", `\x1b[2J\x1b[32mgreen\x1b[0m`},
		{"carriage return and DEL", "a\rb\x7f", `a\x0db\x7f`},
		{"C1 CSI", "\u009b31m", `\u009b31m`},
		{"bidi", "\u202eabc\u202c\u2066\u2069\u200e\u200f\u061c", `\u202eabc\u202c\u2066\u2069\u200e\u200f\u061c`},
		{"invalid UTF-8", "a\x9bb\xff", `a\x9bb\xff`},
		{"a separator stays", "a\u2028b", "a\u2028b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sanitize(tc.in); got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := Sanitize(hostile); len(rawControls(got)) > 0 {
		t.Errorf("left %v in %q", rawControls(got), got)
	}
}

// TestSanitizerSplitWrites: the writer gives what Sanitize gives, however
// the text is cut into writes (a rune split between two writes included).
func TestSanitizerSplitWrites(t *testing.T) {
	text := hostile + " ‹sig#1a2b› → é\u202e" + hostile
	for _, size := range []int{1, 2, 3, 5, 7, 64} {
		var out bytes.Buffer
		w := NewSanitizer(&out)
		for i := 0; i < len(text); i += size {
			n, err := w.Write([]byte(text[i:min(i+size, len(text))]))
			if err != nil || n != min(size, len(text)-i) {
				t.Fatalf("write %d: %d, %v", i, n, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != Sanitize(text) {
			t.Errorf("writes of %d bytes: %q, want %q", size, out.String(), Sanitize(text))
		}
	}
	// A rune cut off at the very end is written, escaped, on Close.
	var out bytes.Buffer
	w := NewSanitizer(&out)
	_, _ = w.Write([]byte("ok\xe2\x80"))
	_ = w.Close()
	if out.String() != `ok\xe2\x80` {
		t.Errorf("cut rune: %q", out.String())
	}
}

// TestJSONSanitizerExact: JSON keeps its values exactly (it decodes to the
// same strings) while no control reaches the terminal raw.
func TestJSONSanitizerExact(t *testing.T) {
	value := map[string]any{"url": "https://x/" + hostile, "claims": map[string]any{"sub": "user_\u009b\u202e"}, "line": "a\u2028b"}
	doc, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	if len(rawControls(string(doc))) == 0 {
		t.Fatal("encoding/json escapes C1 and bidi now: the JSON sanitizer may no longer be needed")
	}
	for _, size := range []int{1, 3, len(doc)} {
		var out bytes.Buffer
		w := NewJSONSanitizer(&out)
		for i := 0; i < len(doc); i += size {
			_, _ = w.Write(doc[i:min(i+size, len(doc))])
		}
		_ = w.Close()
		if raw := rawControls(out.String()); len(raw) > 0 {
			t.Errorf("raw controls %v in %s", raw, out.String())
		}
		var back, want any
		if err := json.Unmarshal(out.Bytes(), &back); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, out.String())
		}
		_ = json.Unmarshal(doc, &want)
		if b1, b2 := mustJSON(t, back), mustJSON(t, want); b1 != b2 {
			t.Errorf("values changed:\n%s\n%s", b1, b2)
		}
	}
	// A raw body with a control inside a string becomes valid JSON.
	var out bytes.Buffer
	w := NewJSONSanitizer(&out)
	_, _ = w.Write([]byte("{\"name\": \"Jane\x1b[2J\x7f\"}\r\n"))
	_ = w.Close()
	var rec struct{ Name string }
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || rec.Name != "Jane\x1b[2J\x7f" {
		t.Errorf("raw body: %q → %q, %v", out.String(), rec.Name, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEscapeBidi(t *testing.T) {
	styled := "\x1b[1mbold\x1b[m \u202eevil\u2069"
	if got, want := EscapeBidi(styled), "\x1b[1mbold\x1b[m \\u202eevil\\u2069"; got != want {
		t.Errorf("EscapeBidi = %q, want %q", got, want)
	}
	if s := "plain ‹›"; EscapeBidi(s) != s {
		t.Error("text without bidi controls must be unchanged")
	}
}

func BenchmarkSanitizer(b *testing.B) {
	line := []byte(strings.Repeat("  2.3/3   which cookie set the SDK reads: un-suffixed → ‹sig#1a2b3c4d›\n", 100))
	w := NewSanitizer(io.Discard)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		_, _ = w.Write(line)
	}
}

// TestNotPrintable8: the eight-bytes-at-a-time test agrees with testing
// the bytes one by one (whether any is not printable ASCII, and which is
// the first), for every byte value at every place among printable,
// control and non-ASCII neighbours.
func TestNotPrintable8(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for trial := range 400 {
		var w [8]byte
		for i := range w {
			switch trial % 4 {
			case 0:
				w[i] = byte(0x20 + rnd.IntN(0x5f))
			default:
				w[i] = byte(rnd.IntN(256))
			}
		}
		for at := range 8 {
			for c := range 256 {
				w[at] = byte(c)
				first := 8
				for i, b := range w {
					if b < 0x20 || b >= 0x7f {
						first = i
						break
					}
				}
				m := notPrintable8(binary.LittleEndian.Uint64(w[:]))
				if got := bits.TrailingZeros64(m) / 8; (m == 0) != (first == 8) || m != 0 && got != first {
					t.Fatalf("notPrintable8(% x) = %#x: first byte %d, want %d", w, m, got, first)
				}
			}
		}
	}
}

// TestSanitizerByRune: the sanitising writers write what escaping rune by
// rune writes, for random mixes of ASCII, controls, DEL, C1, bidi
// controls, other runes and invalid bytes, however the input is cut into
// writes.
func TestSanitizerByRune(t *testing.T) {
	pieces := []string{"plain text ", "0123456789abcdef", "\n", "\t", "\r", "\x00", "\x1b[2J", "\x7f", "\u0085", "\u009b",
		"\u202e", "\u2066", "\u200f", "\u061c", "é", "—", "→", "‹sig›", "😀", "\u2028", "\ufffd", "\xff", "\xe2\x80", "\xc2", "\x80"}
	rnd := rand.New(rand.NewPCG(7, 8))
	for trial := range 3000 {
		var in []byte
		for range rnd.IntN(40) {
			in = append(in, pieces[rnd.IntN(len(pieces))]...)
		}
		for _, json := range []bool{false, true} {
			var want []byte
			for i := 0; i < len(in); {
				r, n := utf8.DecodeRune(in[i:])
				switch {
				case r == utf8.RuneError && n == 1 && json:
					want = append(want, `\ufffd`...)
				case r == utf8.RuneError && n == 1:
					want = append(want, '\\', 'x', hexDigits[in[i]>>4], hexDigits[in[i]&0xf])
				case json && r == '\r': // whitespace between JSON tokens
					want = append(want, '\r')
				case unsafeRune(r):
					want = append(want, appendEscape(nil, r, json)...)
				default:
					want = append(want, in[i:i+n]...)
				}
				i += n
			}
			var out bytes.Buffer
			w := NewSanitizer(&out)
			if json {
				w = NewJSONSanitizer(&out)
			}
			for rest := in; len(rest) > 0; {
				n := min(len(rest), 1+rnd.IntN(24))
				if trial%3 == 0 {
					n = len(rest)
				}
				_, _ = w.Write(rest[:n])
				rest = rest[n:]
			}
			_ = w.Close()
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("json %v, %q:\n got %q\nwant %q", json, in, out.Bytes(), want)
			}
		}
	}
}

func BenchmarkJSONSanitizer(b *testing.B) {
	line := []byte(strings.Repeat(`{"id":"C7–C9","check":"__client_uat and __session","found":"un-suffixed → ‹sig#1a2b3c4d›"},`, 2000))
	w := NewJSONSanitizer(io.Discard)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		_, _ = w.Write(line)
	}
}

// TestPreEscaped: bytes written past a JSON sanitizer's scan come after
// what it holds (a rune cut off, escaped as Close escapes it), as they are;
// a text sanitizer or another writer is given them as they are too.
func TestPreEscaped(t *testing.T) {
	var out bytes.Buffer
	s := NewJSONSanitizer(&out)
	_, _ = s.Write([]byte("\"a\x7f\xe2\x80"))
	_, _ = PreEscaped(s).Write([]byte(`\u202e"`))
	_, _ = s.Write([]byte("\u2066"))
	_ = s.Close()
	if got, want := out.String(), `"a\u007f\ufffd\ufffd\u202e"\u2066`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	text := NewSanitizer(&out)
	if PreEscaped(text) != io.Writer(text) || PreEscaped(&out) != io.Writer(&out) {
		t.Error("PreEscaped changed a writer that is not a JSON sanitizer")
	}
	if got := string(AppendJSONEscaped([]byte("x"), []byte("\"\x1b[2J\u009b\u200f\xff ok é\""))); got != `x"\u001b[2J\u009b\u200f\ufffd ok é"` {
		t.Errorf("AppendJSONEscaped: %q", got)
	}
}
