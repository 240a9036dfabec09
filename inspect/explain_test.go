package inspect

import (
	"strings"
	"testing"
	"time"
)

// judgedCase is a shared or oracle case judged by the engine, with its
// explanation at the case's own clock.
type judgedCase struct {
	c authCase
	v *Verdict
	e Explanation
}

func judgeAllCases(t *testing.T) map[string]judgedCase {
	t.Helper()
	out := map[string]judgedCase{}
	for _, dir := range []string{"../testdata/auth-cases", "../testdata/oracle-cases"} {
		for _, c := range loadCases(t, dir) {
			v := judgeCase(t, c)
			out[c.Name] = judgedCase{c: c, v: v, e: Explain(v, time.UnixMilli(c.Now))}
		}
	}
	return out
}

// clerkscopeText is the explanation without the SDK's own message, which
// Why quotes unchanged: what clerkscope itself says.
func clerkscopeText(v *Verdict, e Explanation) string {
	s := e.Summary + "\n" + e.Why + "\n" + strings.Join(e.Next, "\n")
	if v.Message != "" {
		s = strings.ReplaceAll(s, v.Message, "")
	}
	return s
}

func TestExplainFitsTheRequest(t *testing.T) {
	all := judgeAllCases(t)
	for _, tc := range []struct {
		name    string
		status  Status
		want    []string
		notWant []string
	}{
		{"prod-bearer-valid", SignedIn, []string{"Authorization: Bearer", "getToken()"}, []string{"__client_uat"}},
		{"auth-bearer-two", SignedIn, []string{"Authorization: Bearer"}, []string{"__client_uat"}},
		{"prod-bearer-expired-fetch", SignedOut, []string{"Authorization header expired", "getToken()", "Sec-Fetch-Dest: empty"}, []string{"__client_uat", "would have redirected", "__refresh"}},
		{"prod-bearer-expired-document", Handshake, []string{"Authorization header", "getToken()"}, []string{"__client_uat", "normal when it happens once"}},
		{"prod-valid-session-document", SignedIn, []string{"__session cookie", "__client_uat"}, nil},
		{"prod-handshake-valid", SignedIn, []string{"came back from a handshake"}, []string{"__client_uat"}},
		{"prod-refresh-success", SignedIn, []string{"refreshed it with the __refresh cookie"}, []string{"__client_uat"}},
		{"m2m-jwt-valid", SignedIn, []string{"machine token (m2m_token)"}, []string{"__client_uat", "session token is valid"}},
		{"prod-expired-post-document", SignedOut, []string{"the method is POST", "only GET page navigations can be redirected", "getToken()"}, []string{"would have redirected", "normal when it happens once"}},
		{"refresh-post", SignedOut, []string{"the method is POST", "only GET page navigations"}, []string{"would have redirected"}},
		{"prod-options-request", SignedOut, []string{"the method is OPTIONS", "CORS preflight"}, []string{"would have redirected"}},
		{"head", SignedOut, []string{"the method is HEAD", "only GET page navigations"}, []string{"would have redirected", "The handshake fetches"}},
		{"prod-expired-fetch", SignedOut, []string{"Sec-Fetch-Dest: empty", "getToken()"}, []string{"would have redirected", "normal when it happens once"}},
		{"prod-uat-without-session-fetch", SignedOut, []string{"Sec-Fetch-Dest: empty"}, []string{"would have redirected", "The handshake fetches"}},
		{"dev-no-db-jwt-fetch", SignedOut, []string{"Sec-Fetch-Dest: empty", "Only a page navigation can create the dev browser"}, []string{"would have redirected", "refresh the session", "normal when it happens once"}},
		{"devSat-fetch", SignedOut, []string{"Only a page navigation can create the dev browser"}, []string{"would have redirected", "refresh the session"}},
		{"dev-no-db-jwt-document", Handshake, []string{"normal when it happens once", "__clerk_db_jwt"}, []string{"refresh the session"}},
		{"prod-expired-document", Handshake, []string{"normal when it happens once", "tab was closed or asleep"}, nil},
		{"devSat-synced-false", Handshake, []string{"normal when it happens once"}, nil},
		{"prod-iat-future-document", Handshake, []string{"clock", "clockSkewInMs", "A handshake cannot fix this"}, []string{"normal when it happens once"}},
		{"prod-nbf-future-document", Handshake, []string{"clock", "clockSkewInMs", "check the server's clock"}, []string{"normal when it happens once"}},
		{"prod-session-without-uat-document", Handshake, []string{"another app", "cookies ignore ports"}, []string{"normal when it happens once"}},
		{"prod-uat-without-session-document", Handshake, []string{"The handshake fetches a new __session"}, []string{"normal when it happens once"}},
		{"prod-iat-before-client-uat", Handshake, []string{"another tab"}, []string{"normal when it happens once"}},
		{"prod-redirect-loop-3", SignedOut, []string{"__clerk_redirect_count reached 3", "server clock is ahead"}, []string{"normal when it happens once", "would have redirected", "No redirect was possible"}},
		{"redirect-count-2", Handshake, []string{"not the first handshake in a row", "__clerk_redirect_count is 2"}, []string{"normal when it happens once"}},
		{"prod-cross-origin-handshake-count1", Handshake, []string{"__clerk_redirect_count is 1"}, []string{"normal when it happens once"}},
		{"prodSat-redirect-loop", SignedOut, []string{"__clerk_redirect_count reached 3", "satellite"}, []string{"normal when it happens once"}},
		{"prod-nonce-error", SignedOut, []string{"could not exchange the handshake nonce", "answered 400"}, []string{"client is signed out", "assumes the exchange failed"}},
		{"prod-handshake-nonce-bapi-down", SignedOut, []string{"could not exchange the handshake nonce", "assumes the exchange failed"}, []string{"client is signed out"}},
		{"dev-handshake-no-session", SignedOut, []string{"came back without a session"}, []string{"nonce"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, ok := all[tc.name]
			if !ok {
				t.Fatalf("no case %s", tc.name)
			}
			if j.v.Status != tc.status {
				t.Fatalf("status %s %s, want %s", j.v.Status, j.v.Reason, tc.status)
			}
			got := clerkscopeText(j.v, j.e)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
		})
	}
}

// TestExplainNeverContradictsTheRequest holds over every case: a Bearer
// token never reads as a cookie, a refresh or redirect is mentioned only
// where one was possible, and "normal once" only where one handshake cures.
func TestExplainNeverContradictsTheRequest(t *testing.T) {
	onceOK := map[string]bool{
		refreshReasonPrefix + RefreshNonEligibleNoCookie: true, DevBrowserMissing: true, DevBrowserSync: true,
		SatelliteCookieNeedsSyncing: true, PrimaryRespondsToSyncing: true, PrimaryDomainCrossOriginSync: true, ActiveOrganizationMismatch: true,
	}
	for name, j := range judgeAllCases(t) {
		t.Run(name, func(t *testing.T) {
			got := clerkscopeText(j.v, j.e)
			if j.v.TokenCarrier == "header" || machineToken(j.v) && j.v.Reason != NoTokenInHeader {
				if strings.Contains(got, "__client_uat") || strings.Contains(strings.ToLower(got), "cookie") {
					t.Errorf("a token from the Authorization header explained with cookies:\n%s", got)
				}
			}
			if strings.Contains(got, "would have redirected") {
				t.Errorf("stock redirect text:\n%s", got)
			}
			if strings.Contains(got, "No redirect was possible") && (j.v.Status != SignedOut || !isHandshakeReason(j.v.Reason)) {
				t.Errorf("no-redirect text on %s %s", j.v.Status, j.v.Reason)
			}
			if strings.Contains(got, "normal when it happens once") && (j.v.Status != Handshake || !onceOK[j.v.Reason] || j.v.TokenCarrier == "header" || readRedirectCheck(j.v).count >= 1) {
				t.Errorf("\"normal once\" on %s %s (%s):\n%s", j.v.Status, j.v.Reason, j.v.TokenCarrier, got)
			}
		})
	}
}

// TestExplainStaleToken: a token that expired weeks before the request is
// no tab that slept, so the handshake is not called normal.
func TestExplainStaleToken(t *testing.T) {
	j := judgeAllCases(t)["prod-expired-document"]
	c := j.c
	c.Now += (30 * 24 * time.Hour).Milliseconds()
	v := judgeCase(t, c)
	if v.Status != Handshake {
		t.Fatalf("status %s %s", v.Status, v.Reason)
	}
	got := clerkscopeText(v, Explain(v, time.UnixMilli(c.Now)))
	if strings.Contains(got, "normal when it happens once") || !strings.Contains(got, "30 days") || !strings.Contains(got, "--now") {
		t.Errorf("stale token explained as a normal handshake:\n%s", got)
	}
}

// TestExplainAuthorizedParties tells a token without azp from one whose azp
// is not listed, and quotes the SDK's message unchanged beside the reading.
func TestExplainAuthorizedParties(t *testing.T) {
	all := judgeAllCases(t)
	for _, tc := range []struct {
		name    string
		want    []string
		notWant []string
	}{
		{"azp-missing", []string{"no azp claim", "!azp", "no Origin header", "there is no azp to match"}, []string{"add the origin", "Add the origin", "list exactly"}},
		{"prod-wrong-azp", []string{`azp "https://evil.example.org" is not in authorizedParties`, "scheme, host and port", "no trailing slash"}, []string{"no azp claim"}},
		{"prod-azp-trailing-slash", []string{`azp "https://example.com/"`, "no trailing slash"}, []string{"no azp claim"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := all[tc.name]
			if j.v.Reason != TokenInvalidAuthorizedParties {
				t.Fatalf("reason %s", j.v.Reason)
			}
			if !strings.Contains(j.e.Why, `The SDK says: "`+j.v.Message+`"`) {
				t.Errorf("the SDK's message is not quoted as is: %s", j.e.Why)
			}
			if strings.HasPrefix(j.e.Why, j.v.Message) {
				t.Errorf("Why is the SDK's message, not clerkscope's reading: %s", j.e.Why)
			}
			got := clerkscopeText(j.v, j.e)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
		})
	}
}
