package inspect

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The fuzz targets' seed corpora run in every `go test`; `go test -fuzz`
// explores further. They assert that no input panics and that the
// invariants the UI relies on hold.

func FuzzParseCookieHeader(f *testing.F) {
	for _, s := range []string{"", "a=b", "__session=x; __client_uat=0", "a=b;;c", "=x; y", "a=%zz; b=%E2%82%AC", "k=v; k=w", ";;;=;", "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list := ParseCookieHeader(s)
		seen := map[string]bool{}
		for _, c := range list {
			if c.Shadowed != seen[c.Name] {
				t.Fatalf("shadowing wrong for %q in %q", c.Name, s)
			}
			seen[c.Name] = true
		}
	})
}

func FuzzParseCurl(f *testing.F) {
	for _, s := range []string{
		"curl 'https://example.com' -H 'Cookie: a=b'",
		`curl ^"https://example.com/^" -H ^"cookie: a=b^"`,
		"curl $'https://x/\\x41' -b 'a=1'",
		"curl -X POST --url https://e.com -d x",
		"curl \"https://e.com/\\\"q\\\"\"",
		"curl",
		"curl '",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		req, err := ParseCurl(s)
		if err == nil && req.URL == "" {
			t.Fatal("no error and no URL")
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}

func FuzzDecodeJWT(f *testing.F) {
	for _, s := range []string{sampleJWT, "a.b.c", "e30.e30.", "eyJhbGciOiJub25lIn0.bnVsbA.", "x", "..", "e30.e30.e30.e30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		j, err := DecodeJWT(s)
		if err == nil && j.Raw != s {
			t.Fatal("raw mismatch")
		}
		_ = RedactToken(s)
		_ = RedactText(s)
	})
}

func FuzzParseInput(f *testing.F) {
	for _, s := range []string{"Cookie: a=b", sampleJWT, "curl https://e.com", "[{\"name\":\"a\",\"value\":\"b\"}]", "{\"url\":\"https://e.com\"}", "GET / HTTP/1.1\nHost: e.com", "Set-Cookie: a=b; Path=/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseInput(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		_ = DetectKind(s)
		_ = p.Request.Cookies()
	})
}

// FuzzJudge runs arbitrary cookies, URLs and headers through the whole
// engine: it must always return a verdict, never panic.
func FuzzJudge(f *testing.F) {
	f.Add("https://example.com/d", "GET", "__session="+sampleJWT+"; __client_uat=1767222000", "document", "", "")
	f.Add("http://localhost:3000/?__clerk_handshake=a.b.c", "GET", "__clerk_db_jwt=x", "document", "", "")
	f.Add("https://example.com/orgs/x", "POST", "__client_uat=-1; __session=e30.e30.", "", "Bearer a.b", "https://other.org/")
	f.Add("notaurl", "get", "", "", "", "")
	opts := Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", SecretKey: "sk_live_x",
		OrganizationSyncOptions: &OrgSyncOptions{OrganizationPatterns: StringList{"/orgs/:slug"}, PersonalAccountPatterns: StringList{"/me"}}}
	f.Fuzz(func(t *testing.T, u, method, cookie, dest, auth, referer string) {
		req := Request{Method: method, URL: u}
		req.Add("cookie", cookie)
		req.Add("sec-fetch-dest", dest)
		req.Add("authorization", auth)
		req.Add("referer", referer)
		for _, o := range []Options{opts, {}} {
			v := Judge(context.Background(), req, o, Env{Now: time.UnixMilli(1767225600000), Infer: true})
			switch v.Status {
			case SignedIn, SignedOut, Handshake, Throws:
			default:
				t.Fatalf("status %q", v.Status)
			}
			_ = Explain(v, time.Now())
		}
	})
}
