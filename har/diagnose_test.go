package har

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// reproMeta is the meta file of an oracle-made reproduction
// (testdata/diagnosis/README.md).
type reproMeta struct {
	OptionsProfiles map[string]json.RawMessage `json:"options_profiles"`
	// JudgeProfile is the profile clerkscope is given when the capture
	// spans two apps (a satellite and its primary).
	JudgeProfile string `json:"judge_profile"`
	// JWTKeys is each profile's jwtKey file, when one is not
	// testdata/keys/instance-public.pem.
	JWTKeys  map[string]string `json:"options_profiles_jwt_key"`
	Expected []struct {
		Index          int     `json:"index"`
		Status         string  `json:"status"`
		Reason         *string `json:"reason"`
		Cached         bool    `json:"cached"`
		URL            string  `json:"url"`
		SDKURL         string  `json:"sdk_url"`
		OptionsProfile string  `json:"options_profile"`
		// Given is the SDK's verdict with the options clerkscope is given,
		// when the app ran with others (options-differ).
		Given *struct {
			Status string  `json:"status"`
			Reason *string `json:"reason"`
		} `json:"verdict_with_given_options"`
	} `json:"expected"`
}

// profileSetup is the judging setup of one options profile of a meta file.
func (m *reproMeta) profileSetup(t *testing.T) (*inspect.Setup, string) {
	t.Helper()
	name := m.JudgeProfile
	if name == "" {
		if len(m.OptionsProfiles) != 1 {
			t.Fatalf("%d options profiles and no judge_profile", len(m.OptionsProfiles))
		}
		for k := range m.OptionsProfiles {
			name = k
		}
	}
	opts, _, err := inspect.ParseOptions(m.OptionsProfiles[name])
	if err != nil {
		t.Fatal(err)
	}
	opts.JWTKey = jwtKey(t)
	if f := m.JWTKeys[name]; f != "" {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		opts.JWTKey = string(b)
	}
	return &inspect.Setup{Options: opts, Complete: true}, name
}

// sameOptions tells two options profiles with the same content.
func sameOptions(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}

// wantDiag is a diagnosis a reproduction must have.
type wantDiag struct {
	code, confidence string
	entry            int    // an entry it must name (-1: none required)
	causedBy         string // for a loop: its cause
}

// TestReproductions runs each oracle-made capture of a root cause: every
// application entry the SDK reached gets the SDK's verdict at the server's
// clock, and the diagnosis names the cause with the entries that prove it.
func TestReproductions(t *testing.T) {
	cases := map[string][]wantDiag{
		"clock-ahead-loop":      {{CodeServerClockAhead, Certain, 4, ""}, {CodeHandshakeLoop, Certain, 8, CodeServerClockAhead}},
		"clock-behind-nbf":      {{CodeServerClockBehind, Certain, 5, ""}, {CodeHandshakeLoop, Certain, 9, CodeServerClockBehind}},
		"stale-duplicate-uat":   {{CodeOtherAppCookies, Certain, 5, ""}},
		"cached-handshake":      {{CodeEdgeCache, Certain, 8, ""}, {CodeHandshakeLoop, Certain, 10, CodeEdgeCache}},
		"proxy-localhost":       {{CodeProxyHost, Certain, 0, ""}},
		"nonce-exchange-failed": {{CodeNonceFailed, Likely, 2, ""}},
		// Entry 0 is the admin app's fetch with its own token in
		// Authorization; the page loads (1, 2) carry only the other
		// instance's __session cookie.
		"other-instance-token":      {{CodeForeignToken, Certain, 0, ""}, {CodeOtherAppCookies, Likely, 1, ""}},
		"browser-clock-behind":      {{CodeBrowserClockOff, Certain, -1, ""}},
		"satellite-wrong-domain":    {{CodeSatelliteNoSync, Certain, 4, ""}, {CodeSignInLoop, Certain, 6, CodeSatelliteNoSync}},
		"samesite-strict-rewrite":   {{CodeCookieNotSent, Likely, 5, ""}},
		"signed-out-other-tab":      {{CodeSignedOutElsewhere, Likely, 4, ""}},
		"clerkjs-blocked":           {{CodeTokenNotRefreshed, Likely, 6, ""}},
		"api-expired-token":         {{CodeAPIStaleToken, Likely, 3, ""}},
		"api-no-credentials":        {{CodeAPINoCredentials, Likely, 3, ""}},
		"api-subdomain-cookies":     {{CodeSubdomainAPI, Likely, 3, ""}},
		"middleware-matcher-gap":    {{CodeMiddlewareNotRunning, Likely, 5, ""}},
		"sign-in-protected":         {{CodeSignInProtected, Certain, 1, ""}},
		"dev-browser-blocked":       {{CodeDevBrowserLost, Likely, 3, ""}},
		"preview-domain":            {{CodeThirdPartyApp, Possible, 7, ""}},
		"dev-keys-deployed":         {{CodeDevOnPublicHost, Possible, 0, ""}},
		"vercel-cached-page":        {{CodeEdgeCache, Certain, 5, ""}},
		"proxy-cache-replay":        {{CodeEdgeCache, Certain, 3, ""}},
		"keys-other-instance":       {{CodeKeysMismatch, Likely, 4, ""}, {CodeSignInLoop, Certain, 4, CodeKeysMismatch}},
		"authorized-parties-hidden": {{CodeAZPNotAllowed, Likely, 4, ""}, {CodeSignInLoop, Certain, 4, CodeAZPNotAllowed}},
		"big-token-dropped":         {{CodeTokenTooLarge, Likely, 5, ""}, {CodeHandshakeLoop, Certain, 6, CodeTokenTooLarge}},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../testdata/diagnosis", name+".meta.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m reproMeta
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			setup, profile := m.profileSetup(t)
			got, story, err := analyze(t, filepath.Join("../testdata/diagnosis", name+".har"), setup)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range m.Expected {
				if w.Cached {
					// A cached copy never reached the SDK.
					continue
				}
				if w.OptionsProfile != "" && w.OptionsProfile != profile && !sameOptions(m.OptionsProfiles[w.OptionsProfile], m.OptionsProfiles[profile]) {
					// Another app of the capture (a satellite's primary), judged
					// with its own options by the SDK.
					continue
				}
				j := got[w.Index]
				if j == nil || !j.Judged {
					t.Errorf("entry %d: not judged", w.Index)
					continue
				}
				reason := ""
				if w.Reason != nil {
					reason = *w.Reason
				}
				if g := w.Given; g != nil {
					// The app ran with options clerkscope is not given: compare
					// with what the SDK decides with the given ones.
					w.Status, reason = g.Status, ""
					if g.Reason != nil {
						reason = *g.Reason
					}
				}
				if v := j.Result.Verdict; string(v.Status) != w.Status || v.Reason != reason {
					t.Errorf("entry %d: %s %s, the SDK (at the server's clock) said %s %s", w.Index, v.Status, v.Reason, w.Status, reason)
				}
			}
			for _, wd := range want {
				d := findDiagnosis(story.Diagnosis, wd.code)
				if d == nil {
					t.Errorf("no %s diagnosis; got %v", wd.code, diagnosisCodes(story.Diagnosis))
					continue
				}
				if d.Confidence != wd.confidence {
					t.Errorf("%s: confidence %s, want %s", wd.code, d.Confidence, wd.confidence)
				}
				if wd.entry >= 0 && !slices.Contains(d.Entries, wd.entry) {
					t.Errorf("%s: entries %v lack %d", wd.code, d.Entries, wd.entry)
				}
				if d.CausedBy != wd.causedBy {
					t.Errorf("%s: caused by %q, want %q", wd.code, d.CausedBy, wd.causedBy)
				}
				if len(d.Fix) == 0 || d.Why == "" || d.Title == "" {
					t.Errorf("%s: incomplete: %+v", wd.code, d)
				}
			}
			if strings.HasPrefix(name, "clock-") {
				// An entry the clock changed is explained by the clock, never
				// as a normal one-off handshake.
				for _, j := range got {
					if j.Judged && j.Result.Otherwise != nil {
						next := strings.Join(j.Result.Explanation.Next, " ")
						if strings.Contains(next, "normal when it happens once") || !strings.Contains(next, "server's clock") {
							t.Errorf("entry %d: next steps do not name the clock: %q", j.Entry.Index, next)
						}
					}
				}
			}
			t.Logf("diagnosis: %s", diagnosisLine(story.Diagnosis))
			if !causeOf(want[0].code).Problem {
				// What a healthy app does: nothing beside it is a fault.
				if anyProblem(story.Diagnosis) {
					t.Errorf("a problem beside %s: %v", want[0].code, diagnosisCodes(story.Diagnosis))
				}
			} else if len(story.Diagnosis) == 0 || !story.Diagnosis[0].Problem || story.Diagnosis[0].Code != want[0].code {
				t.Errorf("the diagnosis does not lead with %s: %v", want[0].code, diagnosisCodes(story.Diagnosis))
			}
			assertNoContradiction(t, story)
		})
	}
}

// TestCapturesKeepTheirStories checks the four real captures: nothing
// there is a fault, and each is told as its README tells it.
func TestCapturesKeepTheirStories(t *testing.T) {
	want := map[string][]string{
		"a-signed-in-happy":   {CodeSignedInThroughout},
		"b-expired-handshake": {CodeTabSlept},
		"c-signed-out":        {CodeSignedOut},
		"e-dev-instance":      {CodeTabSlept, CodeDevBrowser},
	}
	for name, codes := range want {
		t.Run(name, func(t *testing.T) {
			_, story, err := analyze(t, filepath.Join("../testdata/har", name+".har"), &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := diagnosisCodes(story.Diagnosis); !slices.Equal(got, codes) {
				t.Errorf("diagnosis %v, want %v", got, codes)
			}
			for _, d := range story.Diagnosis {
				if d.Problem {
					t.Errorf("a healthy capture gets a problem: %s", d.Title)
				}
			}
			for _, r := range story.Skew {
				if r.Seconds > 2 || r.Seconds < -2 {
					t.Errorf("%s clock measured %+.1f s off on a capture without skew", r.Host, r.Seconds)
				}
			}
			assertNoContradiction(t, story)
		})
	}
}

// assertNoContradiction: a capture with a problem is never also "fine".
func assertNoContradiction(t *testing.T, s *Story) {
	t.Helper()
	problem := false
	for _, d := range s.Diagnosis {
		problem = problem || d.Problem
	}
	for _, d := range s.Diagnosis {
		if problem && (d.Code == CodeSignedInThroughout || d.Code == CodeTabSlept) {
			t.Errorf("%q beside a problem", d.Title)
		}
	}
	loops := map[int]bool{}
	for _, d := range s.Diagnosis {
		if d.Code == CodeHandshakeLoop {
			for _, e := range d.Entries {
				loops[e] = true
			}
		}
	}
	for _, f := range s.Findings {
		if f.Code == "handshake" && strings.Contains(f.Detail, "No problem") && len(f.Entries) > 0 && loops[f.Entries[0]] {
			t.Errorf("finding %q says no problem inside a loop", f.Title)
		}
		if f.Code == "signed-in-throughout" && problem {
			t.Errorf("finding %q beside a problem", f.Title)
		}
	}
}

// diagnosisLine is each diagnosis with its confidence, entries and cause.
func diagnosisLine(ds []Diagnosis) string {
	var parts []string
	for _, d := range ds {
		p := d.Code + " " + d.Confidence
		if len(d.Entries) > 0 {
			b, _ := json.Marshal(d.Entries)
			p += " " + string(b)
		}
		if d.CausedBy != "" {
			p += " ←" + d.CausedBy
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

func diagnosisCodes(ds []Diagnosis) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

// TestStalePaste: a months-old Cookie header is judged when it was
// captured, says so, and keeps today's verdict beside it.
func TestStalePaste(t *testing.T) {
	data, err := os.ReadFile("../testdata/diagnosis/stale-paste.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := inspect.ParseInput(string(data))
	if err != nil {
		t.Fatal(err)
	}
	setup := &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}}
	req, res := setup.JudgeText(context.Background(), p, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	// The SDK's verdicts (stale-paste.expect.json): signed in at iat+20 s,
	// a handshake for the expired token today.
	if res.Verdict.Status != inspect.SignedIn {
		t.Errorf("at capture time: %s %s, want signed-in", res.Verdict.Status, res.Verdict.Reason)
	}
	if res.Otherwise == nil || res.Otherwise.Status != inspect.Handshake || res.Otherwise.Reason != "session-token-expired-refresh-non-eligible-no-refresh-cookie" {
		t.Errorf("today: %+v, want the handshake for an expired token", res.Otherwise)
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool {
		return strings.Contains(n, "stale") && strings.HasSuffix(n, "; --now judges it at another time")
	}) {
		t.Errorf("no note says the paste is stale and how to judge it at another time: %q", p.Notes)
	}
	// On the paste screen the note names its clock field instead.
	screen, _ := inspect.ParseInput(string(data))
	screen.Controls = &inspect.Controls{Clock: "the clock field"}
	setup.JudgeText(context.Background(), screen, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if !slices.ContainsFunc(screen.Notes, func(n string) bool { return strings.HasSuffix(n, "; the clock field judges it at another time") }) {
		t.Errorf("the stale note does not name the paste screen's field: %q", screen.Notes)
	}
	j := &Judged{Class: ClassDocument, Request: req, Result: res, Judged: true}
	ds := DiagnoseRequest(j, setup)
	if len(ds) == 0 || ds[0].Code != CodeStalePaste || !strings.Contains(ds[0].Title, "signed-in") {
		t.Errorf("diagnosis %+v, want stale-paste leading with the verdict at the time", ds)
	}

	// --now and a Date line win: no stale judgement then.
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	p2, _ := inspect.ParseInput(string(data))
	fixed := &inspect.Setup{Options: setup.Options, Now: &now}
	if _, res := fixed.JudgeText(context.Background(), p2, now); res.Clock != nil || res.Verdict.Status != inspect.Handshake {
		t.Errorf("--now: %s with clock %+v, want today's handshake", res.Verdict.Status, res.Clock)
	}
	p3, err := inspect.ParseInput("GET / HTTP/1.1\nHost: example.com\nDate: Thu, 15 Jan 2026 10:00:20 GMT\n" + string(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, res := setup.JudgeText(context.Background(), p3, now); res.Verdict.Status != inspect.SignedIn || !res.At.Equal(time.Date(2026, 1, 15, 10, 0, 20, 0, time.UTC)) {
		t.Errorf("Date line: %s at %s, want signed-in at the Date", res.Verdict.Status, res.At)
	}
}

// TestPastedReproductions runs each oracle-made pasted request
// (testdata/diagnosis/<name>.txt, the SDK's verdict at `now` in
// <name>.expect.json): clerkscope's verdict is the SDK's, and the diagnosis
// leads with the cause.
func TestPastedReproductions(t *testing.T) {
	cases := map[string]wantDiag{
		"bad-authorization-header": {CodeBadAuthHeader, Certain, -1, ""},
		"big-session-token":        {CodeTokenTooLarge, Likely, -1, ""},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("../testdata/diagnosis", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join("../testdata/diagnosis", name+".expect.json"))
			if err != nil {
				t.Fatal(err)
			}
			var exp struct {
				Options json.RawMessage `json:"options"`
				Now     int64           `json:"now"`
				Verdict struct {
					Status inspect.Status `json:"status"`
					Reason *string        `json:"reason"`
				} `json:"verdict"`
			}
			if err := json.Unmarshal(data, &exp); err != nil {
				t.Fatal(err)
			}
			opts, _, err := inspect.ParseOptions(exp.Options)
			if err != nil {
				t.Fatal(err)
			}
			opts.JWTKey = jwtKey(t)
			setup := &inspect.Setup{Options: opts, Complete: true}
			p, err := inspect.ParseInput(string(text))
			if err != nil {
				t.Fatal(err)
			}
			req, res := setup.JudgeText(context.Background(), p, time.UnixMilli(exp.Now))
			reason := ""
			if exp.Verdict.Reason != nil {
				reason = *exp.Verdict.Reason
			}
			if v := res.Verdict; v.Status != exp.Verdict.Status || v.Reason != reason {
				t.Errorf("%s %s, the SDK said %s %s", v.Status, v.Reason, exp.Verdict.Status, reason)
			}
			class := ClassDocument
			if strings.EqualFold(req.Value("sec-fetch-dest"), "empty") {
				class = ClassFetch
			}
			ds := DiagnoseRequest(&Judged{Class: class, Request: req, Result: res, Judged: true}, setup)
			t.Logf("%s %s: diagnosis %s", res.Verdict.Status, res.Verdict.Reason, diagnosisLine(ds))
			d := findDiagnosis(ds, want.code)
			if d == nil {
				t.Fatalf("no %s diagnosis; got %v", want.code, diagnosisCodes(ds))
			}
			if d.Confidence != want.confidence {
				t.Errorf("%s: confidence %s, want %s", want.code, d.Confidence, want.confidence)
			}
			if ds[0].Code != want.code || len(d.Fix) == 0 || d.Why == "" {
				t.Errorf("the diagnosis does not lead with a complete %s: %+v", want.code, ds)
			}
		})
	}
}

// TestClockEstimate: Date headers bound the offset to an interval; the
// intervals of one server intersect at the true offset; cached responses
// are left out.
func TestClockEstimate(t *testing.T) {
	start := time.Date(2026, 11, 24, 7, 0, 0, 300e6, time.UTC)
	var b clockBook
	for i, dt := range []time.Duration{0, 700 * time.Millisecond, 1500 * time.Millisecond} {
		at := start.Add(dt)
		e := &Entry{Index: i, StartedDateTime: at, Time: 80, Request: Request{URL: "https://example.com/"}, Response: Response{Status: 200,
			Headers: []Header{{Name: "Date", Value: at.Add(600 * time.Second).Add(40 * time.Millisecond).UTC().Format(http1123)}}}}
		for _, s := range clockSamples(e) {
			b.add("example.com", s)
		}
	}
	off, within, n := b.app("example.com")
	if n != 3 || off < 599.5 || off > 600.6 || within > 0.6 {
		t.Errorf("offset %.2f ± %.2f from %d samples, want 600 ± <0.6 from 3", off, within, n)
	}
	cached := &Entry{StartedDateTime: start, Response: Response{Status: 307, Headers: []Header{{Name: "Date", Value: "Mon, 23 Nov 2026 07:00:00 GMT"}, {Name: "cf-cache-status", Value: "HIT"}}}}
	if len(clockSamples(cached)) != 0 {
		t.Error("a cached response's Date was taken as the server's clock")
	}
	if c, why := cached.Cached(); !c || !strings.Contains(why, "cf-cache-status") {
		t.Errorf("Cached() = %v %q", c, why)
	}
	msg := &Entry{StartedDateTime: start, Time: 50, Response: Response{Status: 307, Headers: []Header{{Name: "x-clerk-auth-message", Value: "JWT is expired. Expiry date: Tue, 24 Nov 2026 06:59:00 GMT, Current date: Tue, 24 Nov 2026 07:10:00 GMT. (reason=token-expired, token-carrier=cookie)"}}}}
	if s := clockSamples(msg); len(s) != 1 || s[0].Source != "x-clerk-auth-message" || s[0].Lo > 600 || s[0].Hi < 599.7 {
		t.Errorf("SDK message sample %+v", s)
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

// TestREADMEListsCauses: every cause code is documented.
func TestREADMEListsCauses(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range CauseCodes() {
		if !strings.Contains(string(readme), "`"+c+"`") {
			t.Errorf("README does not document the cause code %s", c)
		}
	}
}
