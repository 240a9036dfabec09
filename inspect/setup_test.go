package inspect

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// caseByName loads one shared case.
func caseByName(t *testing.T, name string) authCase {
	t.Helper()
	data, err := os.ReadFile("../testdata/auth-cases/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var c authCase
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func hasAssumption(v *Verdict, part string) bool {
	for _, a := range v.Assumptions {
		if strings.Contains(a, part) {
			return true
		}
	}
	return false
}

// TestReadConfigKeys: only a config that names no key at all leaves the
// secret key to the app's environment; null and "" say there is none.
func TestReadConfigKeys(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       bool
	}{
		{"publishable key only", `{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}`, true},
		{"behaviour options only", `{"authorizedParties": ["https://example.com"], "signInUrl": "/sign-in"}`, true},
		{"secretKey null", `{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "secretKey": null}`, false},
		{"secretKey empty", `{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "secretKey": ""}`, false},
		{"secretKey given", `{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "secretKey": "sk_live_abcdefghijkl"}`, false},
		{"jwtKey without secretKey (prod-missing-secret-key)", `{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "jwtKey": "-----BEGIN PUBLIC KEY-----"}`, false},
		{"machineSecretKey", `{"machineSecretKey": "ak_abcdefghijkl"}`, false},
		{"jwtKey empty", "\ufeff" + `{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "jwtKey": ""}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := ParseOptions([]byte(tc.json)); err != nil {
				t.Fatal(err)
			}
			got := ReadConfigKeys([]byte(tc.json))
			if got.InAppEnv != tc.want {
				t.Errorf("InAppEnv = %v, want %v", got.InAppEnv, tc.want)
			}
			if named := strings.Contains(tc.json, `"secretKey"`); got.SecretKeyNamed != named {
				t.Errorf("SecretKeyNamed = %v, want %v", got.SecretKeyNamed, named)
			}
		})
	}
}

// TestConfigWithoutSecretKey: complete options that leave the secret key
// to the app's environment judge like the SDK with a key, say so, and say
// how to get a key that checks the signature; without that reading (and
// for a scenario's own options) the SDK's throw stays.
func TestConfigWithoutSecretKey(t *testing.T) {
	c := caseByName(t, "prod-valid-session-document")
	req := c.Request.toRequest()
	at := time.UnixMilli(c.Now)
	pk := Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}
	for _, tc := range []struct {
		name   string
		setup  Setup
		status Status
		want   []string
	}{
		{"config names no key", Setup{Options: pk, Complete: true, SecretKeyInAppEnv: true}, SignedIn,
			[]string{"the config names no key", "the app has a secret key configured", "the token's signature is valid", "--jwt-key with the PEM public key from the Dashboard's API keys page", "--jwks FILE", "--fetch-jwks"}},
		{"explicit missing key", Setup{Options: pk, Complete: true}, Throws, nil},
		{"no publishable key either", Setup{Complete: true, SecretKeyInAppEnv: true}, Throws, nil},
		{"no config", Setup{Options: pk}, SignedIn, []string{"the app has a secret key configured (none was given to clerkscope)", "--fetch-jwks"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.setup.Judge(context.Background(), req, at, nil).Verdict
			if v.Status != tc.status {
				t.Fatalf("status %s (%s), want %s", v.Status, v.Error, tc.status)
			}
			for _, w := range tc.want {
				if !hasAssumption(v, w) {
					t.Errorf("no assumption says %q: %q", w, v.Assumptions)
				}
			}
			if tc.status == Throws && v.Error != ErrTextSecretKeyMissing && v.Error != ErrTextPublishableKeyMissing {
				t.Errorf("error %q", v.Error)
			}
			if tc.name == "no config" && hasAssumption(v, "the config names no key") {
				t.Errorf("without a config: %q", v.Assumptions)
			}
		})
	}
	t.Run("with a jwtKey no hint", func(t *testing.T) {
		pem, err := os.ReadFile("../testdata/keys/instance-public.pem")
		if err != nil {
			t.Fatal(err)
		}
		s := Setup{Options: Options{PublishableKey: pk.PublishableKey, JWTKey: string(pem)}, Complete: true, SecretKeyInAppEnv: true}
		v := s.Judge(context.Background(), req, at, nil).Verdict
		if v.Status != SignedIn || v.Signature.State != SigVerified || hasAssumption(v, "to check the signature") {
			t.Errorf("%s, signature %s, assumptions %q", v.Status, v.Signature.State, v.Assumptions)
		}
	})
}

// TestScenarioKeepsItsSecretKey: a scenario's options are the SDK call's
// whole input, whatever the --config said: without secretKey it throws.
func TestScenarioKeepsItsSecretKey(t *testing.T) {
	lenient := &Setup{Options: Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}, Complete: true, SecretKeyInAppEnv: true}
	valid, err := os.ReadFile("../testdata/auth-cases/prod-valid-session-document.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(valid, &doc); err != nil {
		t.Fatal(err)
	}
	doc["options"] = map[string]any{"publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}
	pkOnly, _ := json.Marshal(doc)
	missing, err := os.ReadFile("../testdata/auth-cases/prod-missing-secret-key.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"prod-missing-secret-key": string(missing), "publishable key only": string(pkOnly)} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseInput(text)
			if err != nil || p.Kind != KindScenario {
				t.Fatalf("%v, kind %v", err, p.Kind)
			}
			_, res := lenient.JudgeText(context.Background(), p, time.Now())
			if v := res.Verdict; v.Status != Throws || v.Error != ErrTextSecretKeyMissing {
				t.Errorf("%s %q, want the SDK's throw", v.Status, v.Error)
			}
		})
	}
}

// TestBareJWTJudgedAsFetch: a pasted token is the Authorization header of
// a fetch, unless the user says it is a page load.
func TestBareJWTJudgedAsFetch(t *testing.T) {
	c := caseByName(t, "prod-bearer-expired-fetch")
	tok := strings.TrimPrefix(c.Request.Headers["authorization"], "Bearer ")
	now := time.UnixMilli(c.Now)
	s := &Setup{Options: Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}, Now: &now}
	for _, tc := range []struct {
		name, dest string
		status     Status
		reason     string
		note       string
	}{
		{"bare", "", SignedOut, *c.Expect.Reason, "judged as a fetch with Authorization: Bearer (Sec-Fetch-Dest: empty); add -H 'Sec-Fetch-Dest: document' to judge it as a page load"},
		{"said to be a page load", "document", Handshake, *c.Expect.Reason, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseInput(tok + "\n")
			if err != nil || p.Kind != KindJWT {
				t.Fatalf("%v, kind %v", err, p.Kind)
			}
			if tc.dest != "" {
				p.Request.Set("Sec-Fetch-Dest", tc.dest)
			}
			req, res := s.JudgeText(context.Background(), p, now)
			if v := res.Verdict; v.Status != tc.status || v.Reason != tc.reason {
				t.Errorf("%s %s, want %s %s", v.Status, v.Reason, tc.status, tc.reason)
			}
			notes := strings.Join(p.Notes, "\n")
			if tc.note != "" && !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q lack %q", p.Notes, tc.note)
			}
			if tc.note == "" && (strings.Contains(notes, "judged as a fetch") || strings.Contains(notes, "judged as a page navigation")) {
				t.Errorf("the user's Sec-Fetch-Dest is overridden: %q", p.Notes)
			}
			if want := tc.dest; want == "" && req.Value("sec-fetch-dest") != "empty" || want != "" && req.Value("sec-fetch-dest") != want {
				t.Errorf("sec-fetch-dest %q", req.Value("sec-fetch-dest"))
			}
		})
	}
	// Cookies without Sec-Fetch-Dest stay a page navigation.
	p, err := ParseInput("Cookie: __client_uat=0")
	if err != nil {
		t.Fatal(err)
	}
	s.JudgeText(context.Background(), p, now)
	if !strings.Contains(strings.Join(p.Notes, "\n"), "judged as a page navigation") {
		t.Errorf("a Cookie header: %q", p.Notes)
	}
}

// TestLowerIs holds lowerIs to strings.ToLower on ASCII and other names.
func TestLowerIs(t *testing.T) {
	names := []string{"", "x-clerk-auth-status", "X-Clerk-Auth-Status", "X-CLERK-AUTH-STATUS", "x-clerk-auth-statu", "x-clerk-auth-statuss",
		"x-clerk-auth-\u212Aeason", "X-Clerk-Auth-Reaſon", "\u0130x", "x-clerk-auth-status\u0300", "Access-Control-Allow-Origin", "x-clerk-auth-st@tus"}
	for _, lower := range []string{HeaderAuthStatus, HeaderAuthReason, HeaderAllowOrigin, "", "ix", "x-clerk-auth-keason"} {
		for _, name := range names {
			if got, want := lowerIs(name, lower), strings.ToLower(name) == lower; got != want {
				t.Errorf("lowerIs(%q, %q) = %v, want %v", name, lower, got, want)
			}
		}
	}
}
