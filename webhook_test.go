package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func webhookSecret(t *testing.T, expectFile string) string {
	t.Helper()
	data, err := os.ReadFile(expectFile)
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return e.Secret
}

func TestWebhookCommand(t *testing.T) {
	t.Setenv("CLERK_WEBHOOK_SIGNING_SECRET", "")
	secret := webhookSecret(t, "testdata/webhooks/http/reserialized.expect.json")
	code, out, errs := runCLI(t, "", "webhook", "--webhook-secret", secret, "--now", "1767225600", "testdata/webhooks/http/reserialized.http")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"invalid", "No matching signature found", "re-serialized", "Next.js", "Express", "Fastify", "whsec_…"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, secret) || strings.Contains(out, secret[6:]) {
		t.Error("the secret is printed")
	}

	// The secret from the environment, JSON output, a capture with a story.
	t.Setenv("CLERK_WEBHOOK_SIGNING_SECRET", webhookSecret(t, "testdata/webhooks/har/retries-and-duplicate.expect.json"))
	code, out, _ = runCLI(t, "", "webhook", "--json", "testdata/webhooks/har/retries-and-duplicate.har")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Secret     string `json:"secret"`
		Deliveries []struct {
			Verdict struct {
				State string `json:"state"`
			} `json:"verdict"`
			Headers []struct{ Name, Value string } `json:"headers"`
		} `json:"deliveries"`
		Messages  []json.RawMessage `json:"messages"`
		Diagnosis []struct {
			Code string `json:"code"`
		} `json:"diagnosis"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Deliveries) != 6 || len(rep.Messages) != 3 || !strings.HasPrefix(rep.Secret, "whsec_…") {
		t.Fatalf("%d deliveries, %d messages, secret %q", len(rep.Deliveries), len(rep.Messages), rep.Secret)
	}
	for _, h := range rep.Deliveries[0].Headers {
		if h.Name == "svix-signature" && !strings.Contains(h.Value, "‹sig#") {
			t.Errorf("signature not redacted: %s", h.Value)
		}
	}
	var got []string
	for _, d := range rep.Diagnosis {
		got = append(got, d.Code)
	}
	if s := strings.Join(got, " "); !strings.Contains(s, "duplicate-insert") || !strings.Contains(s, "retried") || !strings.Contains(s, "dedupe-on-data-id") {
		t.Errorf("story diagnoses %v", got)
	}

	// Stdin, and the usage.
	body, _ := os.ReadFile("testdata/webhooks/cases/47-webhook-headers-only.json")
	code, out, _ = runCLI(t, string(body), "webhook")
	if code != 0 || !strings.Contains(out, "Missing required webhook headers: svix-id, svix-timestamp, svix-signature") || !strings.Contains(out, "webhook-*") {
		t.Errorf("stdin: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "webhook", "-h")
	if code != 0 || !strings.HasPrefix(out, "Usage: clerkscope webhook") {
		t.Errorf("-h: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "", "help", "webhook")
	if code != 0 || !strings.HasPrefix(out, "Usage: clerkscope webhook") {
		t.Errorf("help webhook: exit %d", code)
	}
}

func TestWebhookInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"no such file", "", []string{"webhook", "testdata/webhooks/none.http"}, 1, "no such file"},
		{"not a delivery", "hello there\n", []string{"webhook"}, 1, "is not a header"},
		{"empty", "   \n", []string{"webhook"}, 1, "the input is empty"},
		{"bad json", "{\"headers\": ", []string{"webhook"}, 1, "not valid JSON"},
		{"bad now", "", []string{"webhook", "--now", "soon", "x"}, 2, "--now"},
		{"unknown flag", "", []string{"webhook", "--nope"}, 2, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want %d, one line with %q", code, errs, tc.code, tc.want)
			}
		})
	}
}

func TestWebhookLookup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/users/user_2yD4newUser" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"errors":[{"code":"resource_not_found","message":"not found"}]}`)
			return
		}
		http.Error(w, "unexpected", http.StatusTeapot)
	}))
	defer srv.Close()
	secret := webhookSecret(t, "testdata/webhooks/har/middleware-protects-route.expect.json")
	t.Setenv("CLERK_WEBHOOK_SIGNING_SECRET", secret)
	code, out, errs := runCLIWith(t, context.Background(), strings.NewReader(""), "webhook", "--lookup", "testdata/webhooks/har/middleware-protects-route.har")
	_ = errs
	// runCLIWith clears CLERK_SECRET_KEY and CLERK_API_URL: without a key the lookup is refused in one line.
	if code != 1 || !strings.Contains(errs, "secret key") {
		t.Fatalf("no key: exit %d, %q", code, errs)
	}
	t.Setenv("CLERK_SECRET_KEY", "sk_test_"+strings.Repeat("k", 40))
	t.Setenv("CLERK_API_URL", srv.URL)
	var o, e strings.Builder
	code = run(context.Background(), []string{"webhook", "--lookup", "testdata/webhooks/har/middleware-protects-route.har"}, strings.NewReader(""), &o, &e)
	if code != 0 || !strings.Contains(o.String(), "lookup    user user_2yD4newUser not found") || !strings.Contains(o.String(), "deleted after this event") {
		t.Errorf("exit %d, stderr %q\n%s", code, e.String(), o.String())
	}
	if strings.Contains(o.String()+e.String(), "kkkkkkkk") {
		t.Error("the secret key is printed")
	}
	_ = out
}

// TestWebhookInstance (issue 12, point 4): each event's instance_id is
// compared with the app's instance — the capture's session tokens (their
// kid), or with --lookup the secret key's instance, which wins — and a
// delivery from another instance is named with its fix; the publishable
// key says which of development and production the app is.
func TestWebhookInstance(t *testing.T) {
	const capture = "testdata/webhooks/har/another-instance.har"
	secret := webhookSecret(t, "testdata/webhooks/har/another-instance.expect.json")
	t.Setenv("CLERK_WEBHOOK_SIGNING_SECRET", secret)
	type out struct {
		Deliveries []struct {
			App *struct {
				ID   string `json:"id"`
				From string `json:"from"`
				Type string `json:"type"`
			} `json:"appInstance"`
			Diagnosis []struct {
				Code, Confidence string
				Fix              []string
			} `json:"diagnosis"`
		} `json:"deliveries"`
	}
	read := func(t *testing.T, args ...string) out {
		t.Helper()
		code, stdout, errs := runCLI(t, "", append([]string{"webhook", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var o out
		if err := json.Unmarshal([]byte(stdout), &o); err != nil || len(o.Deliveries) != 2 {
			t.Fatalf("%v: %s", err, stdout)
		}
		return o
	}
	o := read(t, "--publishable-key", "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", capture)
	own, other := o.Deliveries[0], o.Deliveries[1]
	if own.App == nil || own.App.ID != "ins_2qLrNvT8jYbZQ4ud9sXkE1wHcAf" || own.App.Type != "production" || own.Diagnosis[0].Code != "verified" {
		t.Errorf("own instance: %+v %+v", own.App, own.Diagnosis)
	}
	if d := other.Diagnosis[0]; d.Code != "event-from-another-instance" || d.Confidence != "certain" || !strings.Contains(strings.Join(d.Fix, " "), "the development instance") {
		t.Errorf("other instance: %+v", other.Diagnosis)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/instance" {
			io.WriteString(w, `{"object":"instance","id":"ins_2zDevInstanceOfTheApp00009","environment_type":"development"}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"errors":[{"code":"resource_not_found","message":"not found"}]}`)
	}))
	defer srv.Close()
	t.Setenv("CLERK_SECRET_KEY", "sk_test_"+strings.Repeat("k", 40))
	t.Setenv("CLERK_API_URL", srv.URL)
	t.Setenv("CLERKSCOPE_ALLOW_HTTP_API", "1")
	var stdout, errs strings.Builder
	if code := run(context.Background(), []string{"webhook", "--json", "--lookup", capture}, strings.NewReader(""), &stdout, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if err := json.Unmarshal([]byte(stdout.String()), &o); err != nil {
		t.Fatal(err)
	}
	if a := o.Deliveries[0].App; a == nil || a.ID != "ins_2zDevInstanceOfTheApp00009" || !strings.Contains(a.From, "Backend API") || o.Deliveries[0].Diagnosis[0].Code != "event-from-another-instance" {
		t.Errorf("the secret key's instance: %+v %+v", a, o.Deliveries[0].Diagnosis)
	}
	if d := o.Deliveries[1].Diagnosis; d[0].Code == "event-from-another-instance" {
		t.Errorf("the delivery of the secret key's instance: %+v", d)
	}
}
