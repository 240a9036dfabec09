package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/clerkscope/clerkscope/internal/pipelinecase"
)

// TestPipelineSameInputs (issue 13, point 4): explain reads every input of
// testdata/pipeline/cases.json (a HAR, a .har.gz, stdin, over-size text,
// a file that is not a HAR, a truncated capture, a text request) as the
// dashboard does: the same entries and verdicts, the same diagnosis, the
// same one-line error; report lists the same webhook deliveries.
func TestPipelineSameInputs(t *testing.T) {
	pc, err := pipelinecase.Read(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			path, err := c.Materialize(".", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"explain", "--json", "--all", "--now", pc.Now, "--jwt-key", pc.Key}
			var stdin io.Reader = strings.NewReader("")
			name := path
			if c.Stdin {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				stdin, name = f, "stdin"
				args = append(args, "-")
			} else {
				args = append(args, path)
			}
			code, out, errOut := runCLIWith(t, context.Background(), stdin, args...)
			var doc struct {
				Requests []struct {
					Index  int     `json:"index"`
					Class  string  `json:"class"`
					Status *string `json:"status"`
					Reason *string `json:"reason"`
				} `json:"requests"`
				Diagnosis []struct {
					Code string `json:"code"`
				} `json:"diagnosis"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("explain --json: %v\n%s", err, out)
			}
			var entries, diag []string
			for _, r := range doc.Requests {
				entries = append(entries, pipelinecase.Line(r.Index, r.Class, deref(r.Status), deref(r.Reason)))
			}
			for _, d := range doc.Diagnosis {
				diag = append(diag, d.Code)
			}
			wantErr := strings.ReplaceAll(c.Error, "NAME", name)
			if got := strings.TrimSpace(errOut); c.Error == "" && (code != 0 || got != "") || c.Error != "" && (code != 1 || got != "clerkscope: "+wantErr) {
				t.Errorf("exit %d, stderr %q; want the error %q", code, got, wantErr)
			}
			if fmt.Sprint(entries) != fmt.Sprint(c.Entries) {
				t.Errorf("entries\n%s\nwant\n%s", strings.Join(entries, "\n"), strings.Join(c.Entries, "\n"))
			}
			if fmt.Sprint(diag) != fmt.Sprint(c.Diagnosis) {
				t.Errorf("diagnosis %v, want %v", diag, c.Diagnosis)
			}
			if c.Stdin || c.Error != "" && len(c.Entries) == 0 {
				return
			}
			_, md, _ := runCLI(t, "", "report", "--now", pc.Now, "--jwt-key", pc.Key, path)
			if n := webhookRows(md); n != c.Webhooks {
				t.Errorf("report: %d webhook deliveries, want %d", n, c.Webhooks)
			}
		})
	}
}

// webhookRows counts the rows of the report's webhook table.
func webhookRows(md string) int {
	_, table, ok := strings.Cut(md, "## Webhook deliveries")
	if !ok {
		return 0
	}
	_, table, _ = strings.Cut(table, "|---|")
	n := 0
	for _, l := range strings.Split(table, "\n")[1:] {
		if !strings.HasPrefix(l, "| ") {
			break
		}
		n++
	}
	return n
}
