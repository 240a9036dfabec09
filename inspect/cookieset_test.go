package inspect

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestCookieSetRead: the cookie set records the names the SDK took its
// values from, the chosen set's for the session, __client_uat and
// __clerk_db_jwt, always the suffixed __refresh, and the query parameter
// instead of the cookie when the URL carries one.
func TestCookieSetRead(t *testing.T) {
	const pk = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k" // clerk.example.com
	sfx := CookieSuffix(pk)
	tests := []struct {
		name   string
		url    string
		cookie string
		want   []string
	}{
		{"un-suffixed", "https://example.com/", "__client_uat=0",
			[]string{"__session", "__refresh_" + sfx, "__client_uat", "__clerk_db_jwt", "__clerk_handshake", "__clerk_redirect_count", "__clerk_handshake_nonce"}},
		{"suffixed", "https://example.com/", "__client_uat_" + sfx + "=0; __client_uat=0",
			[]string{"__session_" + sfx, "__refresh_" + sfx, "__client_uat_" + sfx, "__clerk_db_jwt_" + sfx, "__clerk_handshake", "__clerk_redirect_count", "__clerk_handshake_nonce"}},
		{"query parameters", "https://example.com/?__clerk_db_jwt=dvb_x&__clerk_handshake=h&__clerk_handshake_nonce=n", "__client_uat=0",
			[]string{"__session", "__refresh_" + sfx, "__client_uat", "__clerk_redirect_count"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Method: "GET", URL: tc.url, Headers: []Header{{Name: "cookie", Value: tc.cookie}, {Name: "sec-fetch-dest", Value: "document"}}}
			v := Judge(context.Background(), req, Options{PublishableKey: pk, SecretKey: "sk_test_x"}, Env{Now: time.Unix(1767225600, 0)})
			if v.CookieSet == nil {
				t.Fatalf("no cookie set (status %s, %s)", v.Status, v.Error)
			}
			if got := v.CookieSet.Read; !slices.Equal(got, tc.want) {
				t.Errorf("Read = %q, want %q", got, tc.want)
			}
		})
	}
}
