package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	tea "charm.land/bubbletea/v2"
)

// loadFull opens cfg's capture with every row held whole, as the
// dashboard held them before rows were kept compactly.
func loadFull(t *testing.T, cfg Config, w, h int) *app {
	t.Helper()
	m := New(context.Background(), cfg).(*app)
	m.c.pasteWait = 0
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	cmd := m.Init()
	m.cap.store.src = nil
	drive(t, m, cmd)
	return m
}

// TestCompactRowsShowTheSame (issue 11 build point 4): every capture of
// testdata and of the shared fixtures shows the same rows, banner, tabs
// and screens when its rows are kept compactly (their entries read again
// from the file when a tab shows them) as when every row is held whole.
func TestCompactRowsShowTheSame(t *testing.T) {
	var paths []string
	for _, glob := range []string{"../testdata/har/*.har", "../testdata/diagnosis/*.har", "../../shared/fixtures/har/*.har", "../testdata/har-samples/*.har*", "../testdata/webhooks/har/*.har"} {
		ps, _ := filepath.Glob(glob)
		paths = append(paths, ps...)
	}
	if len(paths) < 40 {
		t.Fatalf("only %d captures found", len(paths))
	}
	for _, p := range paths {
		t.Run(strings.TrimPrefix(p, "../"), func(t *testing.T) {
			compact := newApp(t, testConfig(t, p), 120, 40)
			full := loadFull(t, testConfig(t, p), 120, 40)
			if (compact.cap == nil) != (full.cap == nil) {
				t.Fatalf("compact opened %v, full %v", compact.cap != nil, full.cap != nil)
			}
			if compact.cap == nil {
				if compact.paste.err != full.paste.err {
					t.Fatalf("errors differ: %q, %q", compact.paste.err, full.paste.err)
				}
				return
			}
			cm, fm := compact.cap, full.cap
			if len(cm.rows) != len(fm.rows) {
				t.Fatalf("%d rows, full %d", len(cm.rows), len(fm.rows))
			}
			held := 0
			for i, r := range cm.rows {
				if r.whole {
					held++
				}
				f := fm.rows[i]
				if !f.whole {
					t.Fatal("the full path kept a row compactly")
				}
				for _, w := range []int{40, 64} {
					for _, sel := range []bool{false, true} {
						if a, b := cm.c.renderRow(r, w, sel), fm.c.renderRow(f, w, sel); a != b {
							t.Errorf("row %d drawn differently:\n%s\n%s", i, a, b)
						}
					}
				}
				for _, q := range []string{"api", "signed", "/ get", "200 ", "hs", "x"} {
					if r.matches(q) != f.matches(q) || r.matches(q) != strings.Contains(f.lurl()+f.kind.tail, q) {
						t.Errorf("row %d: filter %q matches differently", i, q)
					}
				}
				for tb := tab(0); tb < tabCount; tb++ {
					if a, b := cm.page(tb, r, 80), fm.page(tb, f, 80); a != b {
						t.Errorf("row %d, %s tab differs:\n%s\n---\n%s", i, tb, a, b)
					}
				}
			}
			if held > 0 {
				t.Errorf("%d of %d rows held whole", held, len(cm.rows))
			}
			// A gzip stream is read again from its spool, removed with
			// the capture.
			path, err := cm.store.src.spool.file()
			if err != nil || (path != "") != strings.HasSuffix(p, ".gz") {
				t.Fatalf("spool %q, %v", path, err)
			}
			defer func() {
				compact.closeCapture()
				if _, err := os.Stat(path); path != "" && err == nil {
					t.Errorf("the spool %s is left behind", path)
				}
			}()
			// The screens as a user walks the list and its tabs.
			for step, keys := range [][]string{nil, {"j"}, {"enter"}, {"tab"}, {"]"}, {"]"}, {"]"}, {"esc", "c", "G"}, {"/", "a", "p", "i"}} {
				press(t, compact, keys...)
				press(t, full, keys...)
				if a, b := screen(compact), screen(full); a != b {
					t.Fatalf("step %d %v: screens differ:\n%s\n---\n%s", step, keys, a, b)
				}
			}
		})
	}
}

// TestRowSize keeps a row at 64 bytes (beside its URL): a 1 GB capture
// has 183,000 of them.
func TestRowSize(t *testing.T) {
	if n := unsafe.Sizeof(row{}); n > 64 {
		t.Errorf("a row takes %d bytes, want at most 64", n)
	}
}
