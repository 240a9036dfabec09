package har

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clerkscope/clerkscope/inspect"
)

type meta struct {
	OptionsProfiles map[string]json.RawMessage `json:"options_profiles"`
	Expected        []struct {
		Index          int            `json:"index"`
		OptionsProfile string         `json:"options_profile"`
		Status         inspect.Status `json:"status"`
		Reason         *string        `json:"reason"`
		Auth           struct {
			UserID *string `json:"userId"`
		} `json:"auth"`
	} `json:"expected"`
}

func jwtKey(t testing.TB) string {
	b, err := os.ReadFile("../testdata/keys/instance-public.pem")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// analyze reads a capture through the Analyzer.
func analyze(t testing.TB, path string, setup *inspect.Setup) (map[int]*Judged, *Story, error) {
	t.Helper()
	out := map[int]*Judged{}
	s, err := streamCapture(t, path, setup, false, func(j *Judged) { out[j.Entry.Index] = j })
	if s == nil {
		return nil, nil, err
	}
	return out, s, err
}

// analysisCaptures are the captures of testdata/har and testdata/diagnosis.
func analysisCaptures() []string {
	files, _ := filepath.Glob("../testdata/har/*.har")
	more, _ := filepath.Glob("../testdata/diagnosis/*.har")
	return append(files, more...)
}

// streamCapture reads a capture through the Analyzer (with the story told
// aside, on its own goroutine, if aside), giving fn every judged entry in
// the order the Analyzer returns them: the story, and the error that
// stopped the read (the story is nil when the file is not a capture).
func streamCapture(t testing.TB, path string, setup *inspect.Setup, aside bool, fn func(*Judged)) (*Story, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, Options{})
	if err != nil {
		return nil, err
	}
	a := NewAnalyzer(setup)
	if aside {
		a.TellAside()
	}
	var readErr error
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		for _, j := range a.Add(context.Background(), e) {
			fn(j)
		}
	}
	for _, j := range a.Flush(context.Background()) {
		fn(j)
	}
	return a.Finish(r.Log()), readErr
}

var captures = []string{"a-signed-in-happy", "b-expired-handshake", "c-signed-out", "e-dev-instance"}

// TestCapturesMatchSDK checks every application request of the four real
// captures against the verdict the SDK gave at capture time, with the
// app's options (as a --config) and with nothing but the key (inferred).
func TestCapturesMatchSDK(t *testing.T) {
	for _, name := range captures {
		for _, mode := range []string{"config", "inferred", "no-key"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join("../testdata/har", name+".meta.json"))
				if err != nil {
					t.Fatal(err)
				}
				var m meta
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
				var setup *inspect.Setup
				if mode == "config" {
					for _, raw := range m.OptionsProfiles {
						opts, _, err := inspect.ParseOptions(raw)
						if err != nil {
							t.Fatal(err)
						}
						opts.JWTKey = jwtKey(t)
						setup = &inspect.Setup{Options: opts, Complete: true}
					}
				} else if mode == "inferred" {
					setup = &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}}
				} else {
					// Nothing at all: the instance comes from the capture and
					// the signatures are assumed valid, and said to be.
					setup = &inspect.Setup{}
				}
				got, _, err := analyze(t, filepath.Join("../testdata/har", name+".har"), setup)
				if err != nil {
					t.Fatal(err)
				}
				judged := 0
				for _, j := range got {
					if j.Judged {
						judged++
					}
				}
				if judged != len(m.Expected) {
					t.Errorf("judged %d application entries, the SDK judged %d", judged, len(m.Expected))
				}
				for _, want := range m.Expected {
					j := got[want.Index]
					if j == nil || !j.Judged {
						t.Errorf("entry %d: not judged", want.Index)
						continue
					}
					v := j.Result.Verdict
					wr := ""
					if want.Reason != nil {
						wr = *want.Reason
					}
					if v.Status != want.Status || v.Reason != wr {
						t.Errorf("entry %d: %s %s, the SDK said %s %s", want.Index, v.Status, v.Reason, want.Status, wr)
					}
					if want.Auth.UserID != nil && (v.Auth == nil || v.Auth.UserID != *want.Auth.UserID) {
						t.Errorf("entry %d: userId %v, want %s", want.Index, v.Auth, *want.Auth.UserID)
					}
					if mode == "no-key" && v.Signature != nil && v.Signature.State != inspect.SigUnverified {
						t.Errorf("entry %d: signature %s without a key", want.Index, v.Signature.State)
					}
					if j.Observed.Agrees != nil && !*j.Observed.Agrees {
						t.Errorf("entry %d: flagged as disagreeing with the server", want.Index)
					}
				}
			})
		}
	}
}

func findingCodes(s *Story) []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, f.Code)
	}
	return out
}

func hasFinding(s *Story, code string) *Finding {
	for i := range s.Findings {
		if s.Findings[i].Code == code {
			return &s.Findings[i]
		}
	}
	return nil
}

// TestCaptureFindings asserts the diagnosis each capture's README gives.
func TestCaptureFindings(t *testing.T) {
	setup := func() *inspect.Setup { return &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}} }
	t.Run("a-signed-in-happy", func(t *testing.T) {
		_, s, err := analyze(t, "../testdata/har/a-signed-in-happy.har", setup())
		if err != nil {
			t.Fatal(err)
		}
		if f := hasFinding(s, "signed-in"); f == nil {
			t.Errorf("no signed-in finding: %v", findingCodes(s))
		}
		f := hasFinding(s, "cookie-sets")
		if f == nil || !strings.Contains(f.Title, "agree") || !strings.Contains(f.Detail, "suffixed set") {
			t.Errorf("cookie-sets finding = %+v", f)
		}
		for _, f := range s.Findings {
			if f.Severity != SevInfo {
				t.Errorf("unexpected %s finding %q", f.Severity, f.Title)
			}
		}
	})
	t.Run("b-expired-handshake", func(t *testing.T) {
		_, s, err := analyze(t, "../testdata/har/b-expired-handshake.har", setup())
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Handshakes) != 1 {
			t.Fatalf("handshakes = %+v", s.Handshakes)
		}
		h := s.Handshakes[0]
		if h.Redirect != 9 || h.FAPI != 10 || h.Return != 11 || h.Outcome != "signed in" {
			t.Errorf("chain = %+v, want 9 → 10 → 11 signed in", h)
		}
		f := hasFinding(s, "handshake")
		if f == nil || f.Severity != SevInfo || !strings.Contains(f.Detail, "expired") {
			t.Errorf("handshake finding = %+v", f)
		}
		for _, f := range s.Findings {
			if f.Severity != SevInfo {
				t.Errorf("unexpected %s finding %q", f.Severity, f.Title)
			}
		}
	})
	t.Run("c-signed-out", func(t *testing.T) {
		_, s, err := analyze(t, "../testdata/har/c-signed-out.har", setup())
		if err != nil {
			t.Fatal(err)
		}
		f := hasFinding(s, "sign-out")
		if f == nil || f.Entries[0] != 9 {
			t.Errorf("sign-out finding = %+v", f)
		}
		if hasFinding(s, "api-signed-out-while-pages-work") != nil {
			t.Errorf("the 401 after signing out is not a bug: %v", findingCodes(s))
		}
		last := s.ClientUAT[len(s.ClientUAT)-1]
		if last.Value != "0" {
			t.Errorf("last __client_uat = %+v, want 0", last)
		}
	})
	t.Run("e-dev-instance", func(t *testing.T) {
		got, s, err := analyze(t, "../testdata/har/e-dev-instance.har", setup())
		if err != nil {
			t.Fatal(err)
		}
		if inst := got[0].Result.Verdict.Instance; inst.Type != inspect.Development || inst.FrontendAPI != "fresh-oyster-42.clerk.accounts.dev" {
			t.Errorf("instance = %+v", inst)
		}
		if len(s.Handshakes) != 2 {
			t.Fatalf("handshakes = %+v", s.Handshakes)
		}
		if s.Handshakes[0].Reason != inspect.DevBrowserMissing || s.Handshakes[0].Return != 2 {
			t.Errorf("first chain = %+v", s.Handshakes[0])
		}
		if s.Handshakes[1].Outcome != "signed in" || s.Handshakes[1].Return != 19 {
			t.Errorf("second chain = %+v", s.Handshakes[1])
		}
		if f := hasFinding(s, "dev-browser"); f == nil || f.Severity != SevInfo {
			t.Errorf("no dev-browser finding: %v", findingCodes(s))
		}
	})
}

// rewriteCapture loads a capture as plain JSON, lets edit change it, and
// writes the result to a temporary file whose path it returns.
func rewriteCapture(t *testing.T, path string, edit func(log map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc["log"].(map[string]any))
	b, _ := json.Marshal(doc)
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSanitizedExport(t *testing.T) {
	path := rewriteCapture(t, "../testdata/har/b-expired-handshake.har", func(log map[string]any) {
		stripSecrets(log)
	})
	_, s, err := analyze(t, path, &inspect.Setup{})
	if err != nil {
		t.Fatal(err)
	}
	f := hasFinding(s, "sanitized-export")
	if f == nil || f.Severity != SevError || !strings.Contains(f.Next, "Allow to generate HAR with sensitive data") {
		t.Fatalf("sanitized finding = %+v", f)
	}
	if !s.Sanitized {
		t.Error("Story.Sanitized not set")
	}
}

// stripSecrets removes what Chrome's sanitized export removes.
func stripSecrets(log map[string]any) {
	for _, e := range log["entries"].([]any) {
		for _, side := range []string{"request", "response"} {
			m := e.(map[string]any)[side].(map[string]any)
			var kept []any
			for _, h := range m["headers"].([]any) {
				n := strings.ToLower(h.(map[string]any)["name"].(string))
				if n != "cookie" && n != "set-cookie" && n != "authorization" {
					kept = append(kept, h)
				}
			}
			m["headers"] = kept
			m["cookies"] = []any{}
		}
	}
}

func TestTruncatedCapture(t *testing.T) {
	raw, err := os.ReadFile("../testdata/har/a-signed-in-happy.har")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.har")
	if err := os.WriteFile(path, raw[:len(raw)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	got, _, err := analyze(t, path, &inspect.Setup{})
	var te *TruncatedError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a TruncatedError", err)
	}
	if te.Entries != len(got) || te.Entries == 0 || te.Line == 0 {
		t.Errorf("truncated after %d entries (line %d), read %d", te.Entries, te.Line, len(got))
	}
	if !strings.Contains(err.Error(), "truncated") {
		t.Errorf("message: %v", err)
	}
}

// inflate appends noise entries to a capture the way ../shared/tools/bighar
// does: same-origin assets, JSON API calls and base64 images, with no
// Cookie, Authorization or x-clerk-* headers.
func inflate(t *testing.T, path string, n int) string {
	t.Helper()
	return rewriteCapture(t, path, func(log map[string]any) {
		entries := log["entries"].([]any)
		first := entries[0].(map[string]any)
		origin := strings.Join(strings.SplitN(first["request"].(map[string]any)["url"].(string), "/", 4)[:3], "/")
		last := entries[len(entries)-1].(map[string]any)["startedDateTime"].(string)
		for i := 0; i < n; i++ {
			url, dest, mime := fmt.Sprintf("%s/static/chunk-%d.js", origin, i), "script", "application/javascript"
			switch i % 3 {
			case 1:
				url, dest, mime = fmt.Sprintf("%s/api/items/%d", origin, i), "empty", "application/json"
			case 2:
				url, dest, mime = fmt.Sprintf("%s/img/%d.png", origin, i), "image", "image/png"
			}
			entries = append(entries, map[string]any{
				"startedDateTime": last,
				"request":         map[string]any{"method": "GET", "url": url, "headers": []any{map[string]any{"name": "sec-fetch-dest", "value": dest}}},
				"response": map[string]any{"status": 200, "headers": []any{map[string]any{"name": "content-type", "value": mime}},
					"content": map[string]any{"size": 4, "mimeType": mime, "text": "AAAA", "encoding": "base64"}},
			})
		}
		log["entries"] = entries
	})
}

// TestNoiseDoesNotChangeTheStory: bighar-style noise must not change the
// findings of any capture.
func TestNoiseDoesNotChangeTheStory(t *testing.T) {
	for _, name := range captures {
		t.Run(name, func(t *testing.T) {
			setup := func() *inspect.Setup { return &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}} }
			_, plain, err := analyze(t, "../testdata/har/"+name+".har", setup())
			if err != nil {
				t.Fatal(err)
			}
			_, noisy, err := analyze(t, inflate(t, "../testdata/har/"+name+".har", 300), setup())
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(plain.Findings)
			b, _ := json.Marshal(noisy.Findings)
			if string(a) != string(b) {
				t.Errorf("findings changed:\n%s\n%s", a, b)
			}
			if a, b := diagnosisCodes(plain.Diagnosis), diagnosisCodes(noisy.Diagnosis); !slices.Equal(a, b) {
				t.Errorf("diagnosis changed: %v, with noise %v", a, b)
			}
			if len(plain.Tokens) != len(noisy.Tokens) || len(plain.Handshakes) != len(noisy.Handshakes) {
				t.Error("the story changed")
			}
		})
	}
}
