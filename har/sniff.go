package har

import "bytes"

// Sniff reports whether the start of a file looks like a HAR capture:
// gzip, or JSON (possibly after a BOM or a JSONP prefix) that mentions
// "log" or "entries".
func Sniff(head []byte) bool {
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		return true
	}
	t := bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")))
	i := bytes.IndexByte(t, '{')
	if i < 0 || i > 200 {
		return false
	}
	if i > 0 && !bytes.Contains(t[:i], []byte("(")) {
		return false
	}
	return bytes.Contains(t, []byte(`"log"`)) || bytes.Contains(t, []byte(`"entries"`))
}
