package main

import (
	"reflect"
	"testing"

	"github.com/clerkscope/clerkscope/inspect"
)

// TestDashboardConfig (issue 9, point 6): the dashboard gets --url and -H
// as explain applies them, and its paste screen starts with them.
func TestDashboardConfig(t *testing.T) {
	f := judgeFlags{reqURL: "https://app.example.com/api/data", headers: multiFlag{"Sec-Fetch-Dest: empty", "Cookie: a=1"}}
	cfg, err := dashboardConfig(f, &inspect.Setup{}, nil, "whsec_x")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != f.reqURL || cfg.Dest != "empty" || cfg.WebhookSecret != "whsec_x" || cfg.ParseTime == nil {
		t.Errorf("config %+v", cfg)
	}
	p, err := inspect.ParseInput("Cookie: __client_uat=0")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Prepare(p); err != nil {
		t.Fatal(err)
	}
	if p.Request.URL != f.reqURL || p.Request.Value("sec-fetch-dest") != "empty" || p.Request.Value("cookie") != "__client_uat=0; a=1" {
		t.Errorf("prepared %+v", p.Request)
	}
	f.headers = multiFlag{"no colon"}
	if _, err := dashboardConfig(f, &inspect.Setup{}, nil, ""); err == nil {
		t.Error("a malformed -H is accepted")
	}
}

func TestDropFlag(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"--webhook-secret", "whsec_x", "a.har"}, []string{"a.har"}},
		{[]string{"a.har", "-webhook-secret=whsec_x", "--url", "u"}, []string{"a.har", "--url", "u"}},
		{[]string{"--", "--webhook-secret"}, []string{"--", "--webhook-secret"}},
	} {
		if got := dropFlag(tc.in, "webhook-secret"); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("dropFlag(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
