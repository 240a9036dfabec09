package har

import (
	"bytes"
	"io"
	"os"
)

// spool holds text to be written later (explain prints its diagnosis before
// the requests it was drawn from): in memory up to 8 MiB, then in a
// temporary file, so a huge capture's text output costs no memory.
type spool struct {
	buf  bytes.Buffer
	file *os.File
	err  error
}

const spoolMemory = 8 << 20

func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.file == nil && s.buf.Len()+len(p) > spoolMemory {
		f, err := os.CreateTemp("", "clerkscope-*.txt")
		if err != nil {
			// No temporary folder: keep it in memory.
			return s.buf.Write(p)
		}
		// Unlinked at once: nothing is left behind, whatever happens.
		os.Remove(f.Name())
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			f.Close()
			s.err = err
			return 0, err
		}
		s.buf = bytes.Buffer{}
		s.file = f
	}
	if s.file != nil {
		n, err := s.file.Write(p)
		if err != nil {
			s.err = err
		}
		return n, err
	}
	return s.buf.Write(p)
}

// copyTo writes everything held to w and releases it.
func (s *spool) copyTo(w io.Writer) error {
	if s.err != nil {
		return s.err
	}
	if s.file == nil {
		_, err := w.Write(s.buf.Bytes())
		s.buf = bytes.Buffer{}
		return err
	}
	defer s.file.Close()
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.file)
	return err
}
