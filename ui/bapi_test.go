package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/clerkscope/clerkscope/bapi"
	"github.com/clerkscope/clerkscope/bapi/bapitest"
)

// bapiTabAll is the whole BAPI tab of the selected request (every line
// the viewport can scroll to), without styles.
func bapiTabAll(m *app) string {
	r := m.cap.selected()
	return ansi.Strip(m.cap.page(tabBAPI, r, 100))
}

// lookUp presses l and delivers the lookup's result, however long the
// calls take (drive drops commands slower than a few milliseconds).
func lookUp(m *app) {
	m.Update(tea.KeyPressMsg{Code: 'l', Text: "l"})
	m.Update(lookupCmd(m.c.ctx, m.c.cfg.Looker, m.cap.selected())())
}

// TestBAPITabWholeCard: the BAPI tab shows all of the lookup on the
// shared records (the capture's user and session standing for alice's):
// discrepancies, the user card, the sessions with the token's marked,
// the organizations, reverification; identifiers hidden until s; l again
// after a failure calls again; a rate-limit wait shows in the status line.
func TestBAPITabWholeCard(t *testing.T) {
	const key = "sk_live_uiTestKey000000000000000000002"
	s := bapitest.New(t, key, "../testdata/bapi", "../bapi/testdata")
	s.Rename("user_2ALICE000000000000000000000", "user_2harlabJaneDoe00000000001")
	s.Rename("sess_2ALICEACTIVE000000000000000", "sess_25ucmCtNT7d5h5KsdnhrD4Y72nj")
	s.Replace("sessions", "sess_25ucmCtNT7d5h5KsdnhrD4Y72nj", "status", "revoked")
	s.Rebase(time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC).Sub(time.UnixMilli(1767225600000)))
	notices := make(chan bapi.Notice, 4)
	c, err := bapi.New(bapi.Config{SecretKey: key, BaseURL: s.URL, OnNotice: func(n bapi.Notice) { notices <- n }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "../testdata/har/a-signed-in-happy.har")
	cfg.Looker = bapi.NewLooker(c, 0)
	cfg.Notices = notices
	m := newApp(t, cfg, 120, 40)
	press(t, m, "j")
	lookUp(m)
	out := bapiTabAll(m)
	for _, want := range []string{
		"Token vs Backend API", "the session is revoked at the Backend API", "next: the user signs in again",
		"User user_2harlabJaneDoe00000000001 — Alice Anders", "@example.com — primary, verified", "SMS 2nd factor",
		"locked         no", "attempts left  100 before lockout",
		"public         29 B, 2 keys — read by frontend and backend; written by backend only",
		"Sessions (4) — ▶ the token's session", "▶ revoked        sess_25ucmCtNT7d5h5KsdnhrD4Y72nj",
		"impersonated by user_2SUPPORT0000000000000000000",
		"Organizations (2)", "Admin (org:admin) in Acme Inc", "2 pending invitations",
		"Reverification", "identifiers and private metadata hidden (s shows them)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("BAPI tab lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"alice@example.com", "cus_FAKE1001", "203.0.113.10", key} {
		if strings.Contains(out, secret) {
			t.Errorf("%q shown before s", secret)
		}
	}
	// The viewport scrolls the long card: its end is reachable.
	press(t, m, "tab", "G")
	if !strings.Contains(screen(m), "secret key's") {
		t.Errorf("scrolling does not reach the end of the card:\n%s", screen(m))
	}
	press(t, m, "s")
	if out := bapiTabAll(m); !strings.Contains(out, "alice@example.com") || !strings.Contains(out, "cus_FAKE1001") {
		t.Error("s does not show the identifiers")
	}
	// A notice (a Retry-After wait) shows in the status line. (Init's
	// waiter, dropped by drive, still takes the first one.)
	n := bapi.Notice{Endpoint: "GET /v1/users/{id}", Wait: 2 * time.Second, Waited: 2 * time.Second, Budget: 30 * time.Second}
	notices <- n
	notices <- n
	drive(t, m, waitNoticeCmd(notices))
	if !strings.Contains(screen(m), "Backend API rate limited (HTTP 429) on GET /v1/users/{id}: waiting 2s") {
		t.Errorf("the wait is not in the status line:\n%s", screen(m))
	}
}

// TestBAPITabRetry: l again after a failed lookup calls the API again.
func TestBAPITabRetry(t *testing.T) {
	const key = "sk_live_uiTestKey000000000000000000003"
	s := bapitest.New(t, key, "../testdata/bapi")
	s.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		bapitest.Error(w, 403, "authorization_invalid", "no")
		return true
	})
	c, err := bapi.New(bapi.Config{SecretKey: key, BaseURL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "../testdata/har/a-signed-in-happy.har")
	cfg.Looker = bapi.NewLooker(c, 0)
	m := newApp(t, cfg, 120, 40)
	press(t, m, "j")
	lookUp(m)
	if out := bapiTabAll(m); !strings.Contains(out, "HTTP 403") || !strings.Contains(out, "Press l again to retry") {
		t.Fatalf("the failure is not shown:\n%s", out)
	}
	const user = "/v1/users/user_2harlabJaneDoe00000000001"
	before := s.Count(user)
	s.SetFault(nil)
	lookUp(m)
	if s.Count(user) == before {
		t.Error("l after a failure did not call again")
	}
}
