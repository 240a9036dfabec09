package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/internal/pipelinecase"
)

// TestLoaderSameInputs (issue 13, point 4): the dashboard opens every
// input of testdata/pipeline/cases.json (a HAR, a .har.gz, stdin spooled as
// main spools it, over-size text, a file that is not a HAR, a truncated
// capture, a text request, webhook deliveries) as explain and report do:
// the same entries and verdicts, the same diagnosis, the same one-line
// error (naming the input as the dashboard does, by its file name) and the
// same webhook deliveries.
func TestLoaderSameInputs(t *testing.T) {
	pc, err := pipelinecase.Read("..")
	if err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, pc.Now)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(filepath.Join("..", pc.Key))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			path, err := c.Materialize("..", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if c.Stdin {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				spooled, cleanup, err := har.SpoolStdin(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				defer cleanup()
				path = spooled
			}
			cfg := testConfig(t, path)
			cfg.Setup = &inspect.Setup{Options: inspect.Options{JWTKey: string(pem)}, Now: &now}
			m := newApp(t, cfg, 200, 60)
			var entries, diag []string
			var gotErr string
			hooks := 0
			if m.cap == nil {
				gotErr = m.paste.err
			} else {
				for _, r := range m.cap.rows {
					j := r.judged()
					index, status, reason := 0, "", ""
					if j.Entry != nil {
						index = j.Entry.Index
					}
					if j.Judged {
						status = string(j.Result.Verdict.Status)
						if j.Result.Verdict.Status != inspect.Throws {
							reason = j.Result.Verdict.Reason
						}
					}
					entries = append(entries, pipelinecase.Line(index, string(j.Class), status, reason))
				}
				ds := m.cap.diags
				if m.cap.story != nil {
					ds = m.cap.story.Diagnosis
				}
				for _, d := range ds {
					diag = append(diag, d.Code)
				}
				if m.cap.err != nil {
					gotErr = m.cap.err.Error()
				}
				if m.cap.hooks != nil {
					hooks = len(m.cap.hooks.Judged)
				}
			}
			if want := strings.ReplaceAll(c.Error, "NAME", filepath.Base(path)); gotErr != want {
				t.Errorf("error %q, want %q", gotErr, want)
			}
			if fmt.Sprint(entries) != fmt.Sprint(c.Entries) {
				t.Errorf("entries\n%s\nwant\n%s", strings.Join(entries, "\n"), strings.Join(c.Entries, "\n"))
			}
			if fmt.Sprint(diag) != fmt.Sprint(c.Diagnosis) {
				t.Errorf("diagnosis %v, want %v", diag, c.Diagnosis)
			}
			if hooks != c.Webhooks {
				t.Errorf("%d webhook deliveries, want %d", hooks, c.Webhooks)
			}
		})
	}
}

// TestProgressShowsCount: while a capture loads, the list's first line
// shows the bar and, whole, how many rows are read so far, however narrow
// the list (the bar gives way; it took the count's room at 80 columns).
func TestProgressShowsCount(t *testing.T) {
	for _, w := range []int{80, 100, 120, 200} {
		m := newApp(t, testConfig(t, "../testdata/har/b-expired-handshake.har"), w, 30)
		m.cap.loading, m.cap.read, m.cap.total = true, 1, 3
		n := fmt.Sprint(len(m.cap.rows))
		var line string
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, "33%") {
				line = l
				break
			}
		}
		if !regexp.MustCompile(`33% ` + n + `\s*[┃│]`).MatchString(line) {
			t.Errorf("width %d: the progress line %q does not end with the %s rows read", w, line, n)
		}
	}
}
