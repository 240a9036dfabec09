package har

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// wrapTextReference is wrapText as it was first written, line by line
// with strings.
func wrapTextReference(w io.Writer, prefix, text string, width int) {
	indent := strings.Repeat(" ", len([]rune(prefix)))
	line := prefix
	n := len([]rune(prefix))
	for _, word := range strings.Fields(text) {
		wl := len([]rune(word))
		if n+wl+1 > width && n > len([]rune(indent)) {
			fmt.Fprintln(w, strings.TrimRight(line, " "))
			line, n = indent, len([]rune(indent))
		}
		line += word + " "
		n += wl + 1
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

// TestWrapText: wrapText writes what the reference writes, for random
// texts of short and long words, runs of spaces and other white space
// (tabs, newlines, U+0085, U+00A0, U+3000), runes of several bytes,
// prefixes of spaces only and empty texts, at several widths.
func TestWrapText(t *testing.T) {
	words := []string{"a", "the", "session", "__client_uat", "é", "→", "‹sig#1a2b›", "C7–C9", strings.Repeat("x", 120),
		strings.Repeat("ü", 60), " ", "  ", "\t", "\n", "\u0085", "\u00a0", "\u3000", "\xff"}
	prefixes := []string{"", "  ", "  Why: ", "     Seen: ", "           ", "   - ", "  SDK message: ", "  1. CAUSE (high) "}
	rnd := rand.New(rand.NewPCG(9, 10))
	for i := range 20000 {
		var text strings.Builder
		for range rnd.IntN(60) {
			text.WriteString(words[rnd.IntN(len(words))])
			if rnd.IntN(3) > 0 {
				text.WriteByte(' ')
			}
		}
		prefix := prefixes[rnd.IntN(len(prefixes))]
		width := []int{100, 100, 40, 10, 1}[rnd.IntN(5)]
		var got, want bytes.Buffer
		wrapText(&got, prefix, text.String(), width)
		wrapTextReference(&want, prefix, text.String(), width)
		if got.String() != want.String() {
			t.Fatalf("%d: wrapText(%q, %q, %d):\n got %q\nwant %q", i, prefix, text.String(), width, got.String(), want.String())
		}
	}
}
