// Package words holds the small string helpers that clerkscope's
// packages (inspect, har, bapi, ui) write their output with, so that each
// is written once.
package words

import (
	"strings"
	"time"
)

// Or is s, or placeholder when s is empty (a "-" in a table cell, a
// "(none)" in a sentence).
func Or(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

// If is yes when b holds and no otherwise.
func If(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// FirstLine is s up to its first newline (all of s when it has none).
func FirstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// Relative says where a time lies from a reference it is d after (d < 0:
// before): same when d is 0, else the distance as dur writes it, then
// "before" or "after", then what ("the request"; "" ends there, for a
// sentence that names the reference itself).
func Relative(d time.Duration, dur func(time.Duration) string, same, what string) string {
	side := "after"
	switch {
	case d == 0:
		return same
	case d < 0:
		d, side = -d, "before"
	}
	if what != "" {
		side += " " + what
	}
	return dur(d) + " " + side
}
