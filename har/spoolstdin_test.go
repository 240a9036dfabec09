package har

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestSpoolStdin: a piped capture is kept whole (no size cap), private,
// named stdin, and gone after cleanup.
func TestSpoolStdin(t *testing.T) {
	const size = 40 << 20
	path, cleanup, err := SpoolStdin(io.LimitReader(zeros{}, size))
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != size || st.Mode().Perm() != 0o600 || filepath.Base(path) != "stdin" {
		t.Fatalf("%s: %v %v", path, st, err)
	}
	cleanup()
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("the spool folder is still there: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
