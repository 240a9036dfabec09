package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMaxValue: a HAR value over --max-value is left out with a finding
// that names it, in text and JSON; raising the flag keeps it; a .har.gz
// that inflates one value past 64 × the cap stops with one clear line.
func TestMaxValue(t *testing.T) {
	dir := t.TempDir()
	entry := func(url, cookie string) string {
		return `{"startedDateTime": "2026-01-01T00:00:00Z", "request": {"method": "GET", "url": "` + url + `", "headers": [{"name": "Cookie", "value": "` + cookie + `"}, {"name": "Sec-Fetch-Dest", "value": "document"}]}, "response": {"status": 200, "headers": []}}`
	}
	doc := `{"log": {"version": "1.2", "entries": [` + entry("https://example.com/", "__client_uat=0") + `, ` +
		entry("https://example.com/x", "__client_uat=0; big="+strings.Repeat("a", 2<<20)) + `]}}`
	path := filepath.Join(dir, "big-cookie.har")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "explain", "--max-value", "1MiB", path)
	if code != 0 || !strings.Contains(out, "entry 1, the request header Cookie is 2.0 MiB, over the 1 MiB cap (--max-value): left out") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	code, out, _ = runCLI(t, "", "explain", "--json", "--max-value", "1MiB", path)
	var got struct {
		Findings []struct{ Code string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if len(got.Findings) == 0 || got.Findings[len(got.Findings)-1].Code != "value-over-cap" {
		t.Errorf("findings %+v", got.Findings)
	}
	if _, out, _ := runCLI(t, "", "explain", "--max-value", "4MiB", path); strings.Contains(out, "(--max-value)") {
		t.Errorf("--max-value 4MiB still leaves the cookie out:\n%s", out)
	}
	if code, _, errOut := runCLI(t, "", "explain", "--max-value", "lots", path); code != 2 || !strings.Contains(errOut, `"lots" is not a size`) {
		t.Errorf("--max-value lots: exit %d, %q", code, errOut)
	}

	// 4 MiB of spaces after the first entry: past 64 × 64 KiB.
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(`{"log": {"version": "1.2", "entries": [` + entry("https://example.com/", "__client_uat=0") + `,` + strings.Repeat(" ", 5<<20) + entry("https://example.com/", "a=1") + `]}}`))
	w.Close()
	bomb := filepath.Join(dir, "bomb.har.gz")
	if err := os.WriteFile(bomb, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "", "explain", "--max-value", "64KiB", bomb)
	if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "decompresses to more than 4 MiB in one value (entry 1)") || !strings.Contains(out, "entry 0") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
}
