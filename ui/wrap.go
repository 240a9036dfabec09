package ui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrap breaks s into lines of at most w cells. Lines break between words,
// so a time, an id or a reason never splits; only a word longer than a
// whole line is cut, at a natural break (after / & ? , ; = . - or …) when
// there is one in its second half, and never inside a redaction marker
// (‹sig#…›). Existing newlines are kept.
func wrap(s string, w int) string {
	if w < 10 {
		w = 10
	}
	paras := strings.Split(s, "\n")
	out := make([]string, 0, len(paras))
	for _, p := range paras {
		out = append(out, wrapLine(p, w)...)
	}
	return strings.Join(out, "\n")
}

// wrapLine wraps one line (no newline in it).
func wrapLine(s string, w int) []string {
	if ansi.StringWidth(s) <= w {
		return []string{s}
	}
	var lines []string
	line, lw := "", 0
	for i, word := range strings.Split(s, " ") {
		ww := ansi.StringWidth(word)
		switch {
		case i == 0 && ww <= w:
			line, lw = word, ww
		case i > 0 && lw+1+ww <= w:
			line += " " + word
			lw += 1 + ww
		case word == "":
			// a space where the line breaks: dropped
		case ww <= w:
			lines = append(lines, strings.TrimRight(line, " "))
			line, lw = word, ww
		default:
			// A word longer than a line: start it on this line when a
			// useful part fits, else on the next.
			first := w
			if lw > 0 {
				first = w - lw - 1
				if first < 8 {
					lines = append(lines, strings.TrimRight(line, " "))
					line, lw, first = "", 0, w
				}
			}
			parts := breakWord(word, first, w)
			head := parts[0]
			if lw > 0 {
				head = line + " " + head
			}
			if len(parts) == 1 {
				line, lw = head, ansi.StringWidth(head)
				continue
			}
			lines = append(lines, head)
			lines = append(lines, parts[1:len(parts)-1]...)
			line = parts[len(parts)-1]
			lw = ansi.StringWidth(line)
		}
	}
	return append(lines, line)
}

// breakChars are where a word too long for a line is best cut (after them).
const breakChars = "/&?,;=.-…›"

// breakWord cuts a word into pieces: the first of at most first cells, the
// others of at most w.
func breakWord(word string, first, w int) []string {
	if strings.ContainsRune(word, '\x1b') {
		// A styled word: ansi's wrap keeps the styles; the first line's
		// offset is stood in for by placeholders, then cut off.
		used := w - first
		parts := strings.Split(ansi.Wrap(strings.Repeat("x", used)+word, w, breakChars), "\n")
		parts[0] = ansi.TruncateLeft(parts[0], used, "")
		return parts
	}
	rs := []rune(word)
	var out []string
	avail := first
	for len(rs) > 0 {
		widths := make([]int, len(rs)+1) // widths[i]: cells of rs[:i]
		for i, r := range rs {
			widths[i+1] = widths[i] + max(1, ansi.StringWidth(string(r)))
		}
		if widths[len(rs)] <= avail {
			out = append(out, string(rs))
			break
		}
		n := 0 // the most runes that fit
		for n < len(rs) && widths[n+1] <= avail {
			n++
		}
		cut := bestCut(rs, n)
		out = append(out, string(rs[:cut]))
		rs = rs[cut:]
		avail = w
	}
	return out
}

// bestCut picks where to cut rs, at most n runes in: after a break
// character in the second half, else at n; never inside ‹…› unless the
// marker alone is longer than n.
func bestCut(rs []rune, n int) int {
	if n < 1 {
		return 1
	}
	inside := make([]bool, len(rs)+1) // inside[i]: a cut before rs[i] splits a marker
	open := false
	for i, r := range rs {
		if r == '‹' {
			open = true
		}
		inside[i+1] = open && r != '›'
		if r == '›' {
			open = false
		}
	}
	for i := n; i >= max(1, n/2); i-- {
		if !inside[i] && strings.ContainsRune(breakChars, rs[i-1]) {
			return i
		}
	}
	for i := n; i >= 1; i-- {
		if !inside[i] {
			return i
		}
	}
	return n
}

// jwtPattern matches a compact JWT, its signature redacted or not.
var jwtPattern = regexp.MustCompile(`ey[A-Za-z0-9_-]{8,}\.ey[A-Za-z0-9_-]{8,}\.(?:‹[^›\s]*›|[A-Za-z0-9_-]*)`)

// foldedPart is how many characters of a token's header and claims stay
// when it is folded.
const foldedPart = 10

// foldJWTs shortens every long JWT in s to header.claims…: the first
// characters of the header and the claims, then the signature's redaction
// marker (or its first characters when shown). It reports whether it
// folded any.
func foldJWTs(s string) (string, bool) {
	folded := false
	out := jwtPattern.ReplaceAllStringFunc(s, func(tok string) string {
		if len(tok) <= 3*foldedPart+24 {
			return tok
		}
		folded = true
		parts := strings.SplitN(tok, ".", 3)
		sig := parts[2]
		if !strings.HasPrefix(sig, "‹") && len(sig) > 6 {
			sig = sig[:6] + "…"
		}
		return clip(parts[0], foldedPart) + "." + clip(parts[1], foldedPart) + "." + sig
	})
	return out, folded
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
