package ui

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestBigCaptureRows (issue 11): the dashboard lists the two big captures
// of the README's Performance section row for row as it did before the
// rows were made compact and the load faster: every row drawn at two
// widths, selected and not, and the first screen, hashed (the digests were
// taken with the dashboard of 98717aa). CLERKSCOPE_BIGHAR_DIR is the folder
// the README's bighar commands fill (.ci/run makes it); without it the
// test has nothing to read and is skipped.
func TestBigCaptureRows(t *testing.T) {
	dir := os.Getenv("CLERKSCOPE_BIGHAR_DIR")
	if dir == "" {
		t.Skip("CLERKSCOPE_BIGHAR_DIR names no folder of big captures (see the README's Performance section)")
	}
	for name, want := range map[string]string{
		"big.har":  "2e876e36200be26cbcdb55906d6463ce29d27df419b571295e194cb7a7af6a06",
		"bigc.har": "1eaf152316098e0ec0af1854895ea95b73aeaba2e90e88a0669428d70498d430",
	} {
		m := newApp(t, testConfig(t, filepath.Join(dir, name)), 120, 40)
		if m.cap == nil {
			t.Fatalf("%s: not loaded: %s", name, screen(m))
		}
		h := sha256.New()
		for _, r := range m.cap.rows {
			fmt.Fprintf(h, "%s\n%s\n", m.cap.c.renderRow(r, 64, false), m.cap.c.renderRow(r, 40, true))
		}
		fmt.Fprintln(h, screen(m))
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
			t.Errorf("%s: %d rows hash to %s, want %s", name, len(m.cap.rows), got, want)
		}
	}
}
