package har

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/clerkscope/clerkscope/inspect"
)

// TestTellAside holds the story told on its own goroutine (TellAside, as
// Analyze tells it) to the one told entry by entry on the analysis's, on
// every capture of the tests, with the key and with nothing (the instance
// inferred), and on one capture repeated past several batches.
func TestTellAside(t *testing.T) {
	files := analysisCaptures()
	if len(files) < 20 {
		t.Fatalf("only %d captures found", len(files))
	}
	long := filepath.Join(t.TempDir(), "long.har")
	writeRepeated(t, "../testdata/diagnosis/cached-handshake.har", long, 3*storyBatch)
	files = append(files, long)
	for _, path := range files {
		for _, setup := range []*inspect.Setup{{Options: inspect.Options{JWTKey: jwtKey(t)}}, {}} {
			inline := tellStory(t, path, setup, false)
			aside := tellStory(t, path, setup, true)
			if inline != aside {
				t.Errorf("%s (key %t): the story told aside differs:\n%s\ninline:\n%s", path, setup.Options.JWTKey != "", aside, inline)
			}
		}
	}
}

// tellStory analyzes a capture and returns its story and diagnosis as JSON.
func tellStory(t *testing.T, path string, setup *inspect.Setup, aside bool) string {
	t.Helper()
	s, err := streamCapture(t, path, setup, aside, func(*Judged) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		S *Story
		D []Diagnosis
	}{s, s.Diagnosis})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeRepeated writes a capture of n entries, the entries of src over and
// over.
func writeRepeated(t *testing.T, src, dst string, n int) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Version string            `json:"version"`
			Creator json.RawMessage   `json:"creator"`
			Entries []json.RawMessage `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Log.Entries) == 0 {
		t.Fatalf("%s: %v", src, err)
	}
	entries := doc.Log.Entries
	for len(doc.Log.Entries) < n {
		doc.Log.Entries = append(doc.Log.Entries, entries...)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out, 0o600); err != nil {
		t.Fatal(err)
	}
}
