package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		w    int
		want string
	}{
		{"fits", "signed in", 20, "signed in"},
		{"words", "as @clerk/backend 3.25.0 decides at 2026-11-24T07:06:36Z", 44, "as @clerk/backend 3.25.0 decides at\n2026-11-24T07:06:36Z"},
		{"a reason stays whole when it fits a line", "HANDSHAKE  session-token-expired-refresh", 35, "HANDSHAKE\nsession-token-expired-refresh"},
		{"a URL breaks at its punctuation", "307 → https://clerk.example.com/v1/client/handshake?redirect_url=x", 30, "307 → https://clerk.example.\ncom/v1/client/handshake?\nredirect_url=x"},
		{"a long word with no break is cut", "aaaaaaaaaaaaaaaaaaaaaaaaa", 10, "aaaaaaaaaa\naaaaaaaaaa\naaaaa"},
		{"newlines kept", "a\nb", 10, "a\nb"},
		{"unbreakable spaces hold", "expired 1\u00a0min\u00a011\u00a0s before", 12, "expired\n1\u00a0min\u00a011\u00a0s\nbefore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wrap(tc.in, tc.w); got != tc.want {
				t.Errorf("wrap(%q, %d) =\n%s\nwant\n%s", tc.in, tc.w, got, tc.want)
			}
		})
	}
}

// TestWrapWidthAndMarkers: no line is wider than asked, styled or not, and
// a redaction marker is never split, at any width.
func TestWrapWidthAndMarkers(t *testing.T) {
	st := defaultStyles(true)
	tok := "eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yb3JhY2xlIn0.eyJhenAiOiJodHRwczovL2V4YW1wbGUuY29tIiwiZXhwIjoxNzk1NTAzOTg2fQ.‹sig#08ecdee4›"
	for _, s := range []string{
		"Cookie: __session=" + tok + "; __client_uat=1795503925",
		st.Key.Render("Cookie:") + " __session=" + tok,
		st.Value.Render("session-token-expired-refresh-non-eligible-no-refresh-cookie") + " " + tok,
	} {
		for w := 16; w <= 80; w++ {
			for _, l := range strings.Split(wrap(s, w), "\n") {
				if ansi.StringWidth(l) > w {
					t.Errorf("width %d: line of %d: %q", w, ansi.StringWidth(l), l)
				}
				if p := ansi.Strip(l); strings.Count(p, "‹") != strings.Count(p, "›") {
					t.Errorf("width %d: a marker is split: %q", w, p)
				}
			}
		}
	}
}

func TestFoldJWTs(t *testing.T) {
	long := "eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yb3JhY2xlIn0.eyJhenAiOiJodHRwczovL2V4YW1wbGUuY29tIiwiZXhwIjoxNzk1NTAzOTg2fQ"
	for _, tc := range []struct {
		name, in, want string
		folded         bool
	}{
		{"redacted", "__session=" + long + ".‹sig#08ecdee4›; a=1", "__session=eyJhbGciOi….eyJhenAiOi….‹sig#08ecdee4›; a=1", true},
		{"revealed", long + ".Xk3m9QabcdefGHIJ", "eyJhbGciOi….eyJhenAiOi….Xk3m9Q…", true},
		{"short stays", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", false},
		{"no token", "__client_uat=0", "__client_uat=0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, folded := foldJWTs(tc.in)
			if got != tc.want || folded != tc.folded {
				t.Errorf("foldJWTs(%q) = %q, %v; want %q, %v", tc.in, got, folded, tc.want, tc.folded)
			}
		})
	}
}
