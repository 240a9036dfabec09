package inspect

import (
	"strings"
	"testing"
)

// TestSecretFamilies: every Clerk secret is redacted by its name, in its
// suffixed form too, in free text and as a cookie; the public ones (a
// timestamp, a counter) are kept.
func TestSecretFamilies(t *testing.T) {
	const opaque = "dvb_2d21VLOKaTYj53EPP57Yg1F596p"
	handshake := sampleJWT // a JWT whose claims would carry the session it sets
	for _, tc := range []struct {
		name, value string
		secret      bool
	}{
		{"__session", sampleJWT, true},
		{"__session_g8uPP8vT", sampleJWT, true},
		{"__refresh", opaque, true},
		{"__refresh_g8uPP8vT", opaque, true},
		{"__clerk_db_jwt", opaque, true},
		{"__clerk_db_jwt_g8uPP8vT", opaque, true},
		{"__clerk_handshake", handshake, true},
		{"__clerk_handshake_g8uPP8vT", handshake, true},
		{"__clerk_handshake_nonce", opaque, true},
		{"__client", sampleJWT, true},
		{"__dev_session", opaque, true},
		{"__client_uat", "1795504012", false},
		{"__client_uat_g8uPP8vT", "1795504012", false},
		{"__clerk_redirect_count", "1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secretPart := tc.value
			if strings.Count(tc.value, ".") == 2 {
				secretPart = tc.value[strings.LastIndex(tc.value, ".")+1:]
			}
			texts := map[string]string{
				"Set-Cookie": "Set-Cookie: " + tc.name + "=" + tc.value + "; Path=/; SameSite=Lax",
				"Cookie":     "Cookie: a=1; " + tc.name + "=" + tc.value + "; b=2",
				"query":      "https://app.example.com/?x=1&" + tc.name + "=" + tc.value + "&y=2",
				"encoded":    "https://clerk.example.com/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.example.com%2F%3F" + tc.name + "%3D" + tc.value,
				"cookie":     RedactCookieValue(tc.name, tc.value),
			}
			for where, s := range texts {
				got := s
				if where != "cookie" {
					got = RedactText(s)
				}
				if leaked := strings.Contains(got, secretPart); leaked != !tc.secret {
					t.Errorf("%s: secret %v, but %q", where, tc.secret, got)
				}
			}
		})
	}
	// A handshake token is hidden whole: its claims hold the session token
	// (signature included) that it sets.
	payload := strings.Split(sampleJWT, ".")[1]
	if got := RedactText("https://app.example.com/?__clerk_handshake=" + sampleJWT); strings.Contains(got, payload) {
		t.Errorf("handshake claims kept: %q", got)
	}
	if got := RedactCookieValue("__clerk_handshake", sampleJWT); strings.Contains(got, payload) {
		t.Errorf("handshake cookie claims kept: %q", got)
	}
	// A session token keeps its claims, for support to read.
	if got := RedactText("__session_g8uPP8vT=" + sampleJWT); !strings.Contains(got, payload) {
		t.Errorf("session claims lost: %q", got)
	}
	// Names that only look like a family are not taken for it.
	if got := RedactText("__client_uat_g8uPP8vT=1795504012; __clerk_redirect_count=1"); got != "__client_uat_g8uPP8vT=1795504012; __clerk_redirect_count=1" {
		t.Errorf("public values redacted: %q", got)
	}
}

// TestRedactTextMemo: a text redacted again, from the memo, is what
// redacting it afresh gives, for texts with tokens, secret keys, named
// values and none, short and past redactMemoLen.
func TestRedactTextMemo(t *testing.T) {
	tok := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl"
	texts := []string{
		"JWT is expired (reason=token-expired, token-carrier=cookie)",
		"__session=" + tok + "; Path=/",
		"the token " + tok + " and sk_test_abcdefghijklmnop",
		"__client=abc%3Ddef; __client_uat=1700000000",
		"redirect to https://x.test/?__clerk_handshake=" + tok,
		"plain_text without secrets",
		strings.Repeat("a=b ", redactMemoLen/4) + tok,
	}
	for round := range 3 {
		for _, s := range texts {
			if got, want := RedactText(s), redactText(s); got != want {
				t.Fatalf("round %d: RedactText(%q) = %q, want %q", round, s, got, want)
			}
		}
	}
	if strings.Contains(RedactText(texts[1]), "c2lnbmF0dXJl") {
		t.Fatal("the memo gave back a token's signature")
	}
}
