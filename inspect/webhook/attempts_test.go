package webhook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/cause"
)

func judgeFile(t *testing.T, path, secret string) ([]*Judged, *Story) {
	t.Helper()
	var js []*Judged
	for i, d := range parseFile(t, path) {
		js = append(js, Judge(i, d, secret, time.Time{}, time.Unix(1767225600, 0)))
	}
	return js, Group(js)
}

func codes(ds []Diagnosis) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code+"/"+d.Confidence)
	}
	return out
}

func hasCode(ds []Diagnosis, code, conf string) bool {
	for _, d := range ds {
		if d.Code == code && (conf == "" || d.Confidence == conf) {
			return true
		}
	}
	return false
}

// TestStoryRetriesAndDuplicate: three attempts of one message (500, 500,
// 200 on Svix's schedule), a duplicate of another that fails on the unique
// key, and a third event about the same user answered "already processed".
func TestStoryRetriesAndDuplicate(t *testing.T) {
	js, st := judgeFile(t, "../../testdata/webhooks/har/retries-and-duplicate.har", secretOfCapture(t, "har/retries-and-duplicate"))
	if len(js) != 6 || len(st.Messages) != 3 {
		t.Fatalf("%d deliveries, %d messages", len(js), len(st.Messages))
	}
	for _, j := range js {
		if j.Verdict.State != Verified {
			t.Errorf("entry %d: %s %s", j.Delivery.Index, j.Verdict.State, j.Verdict.Error)
		}
	}
	a := st.Messages[0]
	if len(a.Attempts) != 3 || a.Outcome != "succeeded on attempt 3 of 3" {
		t.Errorf("message A: %d attempts, %q", len(a.Attempts), a.Outcome)
	}
	for i, at := range a.Attempts {
		if at.Number != i+1 {
			t.Errorf("A attempt %d numbered %d in Svix's schedule", i+1, at.Number)
		}
	}
	b := st.Messages[1]
	if len(b.Attempts) != 2 || b.Attempts[0].Success || b.Attempts[1].Number != 2 {
		t.Errorf("message B: %+v (the 15.5 s answer is a failure, the retry is attempt 2)", b.Attempts)
	}
	for _, want := range []struct{ code, conf string }{
		{CodeRetried, cause.Certain}, {CodeDuplicateInsert, cause.Certain}, {CodeDedupeOnDataID, cause.Likely},
	} {
		if !hasCode(st.Diagnoses, want.code, want.conf) {
			t.Errorf("story lacks %s/%s: %v", want.code, want.conf, codes(st.Diagnoses))
		}
	}
	if !hasCode(js[4].Diagnoses, CodeDuplicateInsert, cause.Certain) {
		t.Errorf("entry 4 alone: %v", codes(js[4].Diagnoses))
	}
	if !hasCode(js[0].Diagnoses, CodeHandlerFailed, cause.Likely) {
		t.Errorf("entry 0: %v", codes(js[0].Diagnoses))
	}
}

func TestStoryMiddleware(t *testing.T) {
	js, st := judgeFile(t, "../../testdata/webhooks/har/middleware-protects-route.har", secretOfCapture(t, "har/middleware-protects-route"))
	for _, j := range js {
		if j.Diagnoses[0].Code != CodeRouteProtected || j.Diagnoses[0].Confidence != cause.Certain {
			t.Errorf("entry %d: %v", j.Delivery.Index, codes(j.Diagnoses))
		}
	}
	if len(st.Messages) != 1 || !strings.HasPrefix(st.Messages[0].Outcome, "failing") {
		t.Errorf("messages %+v", st.Messages)
	}
}

func TestCLIAndHTTPInputs(t *testing.T) {
	js, _ := judgeFile(t, "../../testdata/webhooks/cli/listen.ndjson", secretOfCapture(t, "cli/listen"))
	if len(js) != 2 || js[0].Verdict.State != Verified || js[1].Diagnoses[0].Code != CodeReserialized || js[1].Diagnoses[0].Confidence != cause.Certain {
		t.Errorf("cli: %d, %v", len(js), codes(js[len(js)-1].Diagnoses))
	}
	if js[1].Event.Type != "user.updated" {
		t.Errorf("an unverified delivery's event is still named: %q", js[1].Event.Type)
	}
	js, _ = judgeFile(t, "../../testdata/webhooks/http/reserialized.http", secretOfCapture(t, "http/reserialized"))
	if js[0].Diagnoses[0].Code != CodeReserialized {
		t.Errorf("http: %v", codes(js[0].Diagnoses))
	}
}

func TestNextAttempt(t *testing.T) {
	for _, tc := range []struct {
		prev int
		wait time.Duration
		want int
	}{
		{1, 5 * time.Second, 2}, {1, 6 * time.Second, 2}, {2, 5 * time.Minute, 3}, {1, 5*time.Minute + 5*time.Second, 3},
		{3, 30 * time.Minute, 4}, {4, 2 * time.Hour, 5}, {5, 5 * time.Hour, 6}, {6, 10 * time.Hour, 7}, {7, 10 * time.Hour, 8},
		{1, 40 * time.Second, 0}, {8, time.Hour, 0},
	} {
		if got := nextAttempt(tc.prev, tc.wait); got != tc.want {
			t.Errorf("nextAttempt(%d, %s) = %d, want %d", tc.prev, tc.wait, got, tc.want)
		}
	}
}

func TestLookup(t *testing.T) {
	js, _ := judgeFile(t, "../../testdata/webhooks/har/middleware-protects-route.har", secretOfCapture(t, "har/middleware-protects-route"))
	calls := 0
	Lookup(context.Background(), func(ctx context.Context, kind, id string) (bool, string, error) {
		calls++
		return false, "", nil
	}, js)
	if calls != 1 {
		t.Errorf("%d lookups for one user named twice", calls)
	}
	if len(js[0].Records) != 1 || js[0].Records[0].Disagrees == "" {
		t.Errorf("records %+v", js[0].Records)
	}
	var b strings.Builder
	if err := WriteText(&b, &Report{Judged: js, Story: Group(js)}, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "lookup    user user_2yD4newUser not found") {
		t.Errorf("text:\n%s", b.String())
	}
}
