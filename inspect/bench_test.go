package inspect

import (
	"context"
	"testing"
	"time"
)

// BenchmarkJudge is one full verdict, RSA signature verification included
// (the prod-valid-session-document case: jwtKey, cookie path to C16).
func BenchmarkJudge(b *testing.B) {
	var c authCase
	for _, x := range loadCases(b, "../testdata/auth-cases") {
		if x.Name == "prod-valid-session-document" {
			c = x
		}
	}
	opts, _, err := ParseOptions(c.Options)
	if err != nil {
		b.Fatal(err)
	}
	req := c.Request.toRequest()
	now := time.UnixMilli(c.Now)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v := Judge(context.Background(), req, opts, Env{Now: now})
		if v.Status != SignedIn {
			b.Fatal(v.Status)
		}
	}
}

// BenchmarkJudgeNoCookies is the common case of a capture's noise: a
// request without Clerk cookies.
func BenchmarkJudgeNoCookies(b *testing.B) {
	opts := Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", SecretKey: "sk_live_x"}
	req := Request{Method: "GET", URL: "https://example.com/static/app.js"}
	req.Add("sec-fetch-dest", "script")
	now := time.UnixMilli(1767225600000)
	b.ReportAllocs()
	for b.Loop() {
		Judge(context.Background(), req, opts, Env{Now: now})
	}
}
