package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

func smokeModel(t *testing.T, cfg Config) *teatest.TestModel {
	return teatest.NewTestModel(t, New(context.Background(), cfg),
		teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithColorProfile(colorprofile.ANSI256)))
}

func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// TestSmokePasteCookieHeader: paste a Cookie header → the verdict shows.
func TestSmokePasteCookieHeader(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Setup.Now = ptr(time.UnixMilli(1767225600000))
	tm := smokeModel(t, cfg)
	waitFor(t, tm, "paste a request")
	tm.Send(tea.PasteMsg{Content: "Cookie: __session=" + sessionFromCase(t, "prod-valid-session-document") + "; __client_uat=1767222000"})
	waitFor(t, tm, "Cookie header")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm, "Signed in as user_2oracleUser")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*app)
	if fm.state != stateCapture || fm.cap.rows[0].judged().Result.Verdict.Status != "signed-in" {
		t.Errorf("final state %s", fm.state)
	}
}

// TestSmokeCapture: open a HAR → filter → open a request → quit.
func TestSmokeCapture(t *testing.T) {
	tm := smokeModel(t, testConfig(t, "../testdata/har/c-signed-out.har"))
	waitFor(t, tm, "Read 16 requests")
	for _, k := range "/api" {
		tm.Send(tea.KeyPressMsg{Code: k, Text: string(k)})
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm, "session-token-and-uat-missing")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*app)
	r := fm.cap.selected()
	if fm.cap.query != "api" || r == nil || !strings.Contains(r.path(), "/api/data") || fm.cap.focus != paneDetail {
		t.Errorf("query %q, selected %v, focus %s", fm.cap.query, r, fm.cap.focus)
	}
}

func ptr[T any](v T) *T { return &v }
