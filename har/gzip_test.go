package har

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"
)

// TestCutGzip: a .har.gz cut before its first block decompresses to
// nothing, with an unexpected EOF: it is called cut, not empty. (A gzip
// header without a stored file name is 10 bytes, so a cut just after it
// leaves no file name to fail on.)
func TestCutGzip(t *testing.T) {
	har, err := os.ReadFile("../testdata/har/a-signed-in-happy.har")
	if err != nil {
		t.Fatal(err)
	}
	gz := func(data []byte, name string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Name = name
		_, _ = w.Write(data)
		_ = w.Close()
		return b.Bytes()
	}
	whole := gz(har, "")
	named := gz(har, "capture.har")
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"cut after the header", whole[:10], "the file is cut"},
		{"cut in the first block", whole[:20], "the file is cut"},
		{"named, cut after the name", named[:10+len("capture.har")+1], "the file is cut"},
		{"an empty file, compressed", gz(nil, ""), "the file is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tc.in), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
