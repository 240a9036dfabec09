package inspect

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// instanceJWKS is the JWKS the cases' instance would serve: its public key
// under the kid its tokens carry.
func instanceJWKS(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../testdata/keys/instance-public.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rk := pub.(*rsa.PublicKey)
	doc, _ := json.Marshal(map[string]any{"keys": []any{map[string]string{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "ins_2oracleFakeInstanceId0000",
		"n": base64.RawURLEncoding.EncodeToString(rk.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(rk.E)).Bytes()),
	}}})
	return doc
}

// TestFetchJWKS: with --fetch-jwks and no other key, tokens are verified
// with the Frontend API's JWKS, fetched once; a failure is reported once
// and the verdict falls back to an unverified signature.
func TestFetchJWKS(t *testing.T) {
	c := caseByName(t, "prod-valid-session-document")
	req := c.Request.toRequest()
	at := time.UnixMilli(c.Now)
	jwks := instanceJWKS(t)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		state   SignatureState
		errText string
	}{
		{name: "served", state: SigVerified, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(jwks)
		}},
		{name: "not found", state: SigUnverified, errText: "HTTP 404", handler: http.NotFound},
		{name: "not a JWKS", state: SigUnverified, errText: "not a JWKS document", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<html>"))
		}},
		{name: "no keys", state: SigUnverified, errText: "holds no RSA public key", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"keys": []}`))
		}},
		{name: "too slow", state: SigUnverified, errText: "no answer within 50ms", timeout: 50 * time.Millisecond, handler: func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			var seen atomic.Value // the path asked for (the handler may outlive the client's wait)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				seen.Store(r.URL.Path)
				tc.handler(w, r)
			}))
			defer srv.Close()
			var warnings []string
			fetch := &FrontendJWKS{BaseURL: srv.URL, Timeout: tc.timeout, Warn: func(m string) { warnings = append(warnings, m) }}
			for _, complete := range []bool{false, true} {
				s := &Setup{Options: Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}, Complete: complete, SecretKeyInAppEnv: complete, FetchJWKS: fetch}
				v := s.Judge(context.Background(), req, at, nil).Verdict
				if v.Status != SignedIn || v.Signature == nil || v.Signature.State != tc.state {
					t.Fatalf("complete %v: %s, signature %+v", complete, v.Status, v.Signature)
				}
				if tc.state == SigVerified {
					if !strings.Contains(v.Signature.Key, "/.well-known/jwks.json") || hasAssumption(v, "signature is valid") || hasAssumption(v, "to check the signature") {
						t.Errorf("key %q, assumptions %q", v.Signature.Key, v.Assumptions)
					}
					continue
				}
				if !hasAssumption(v, "--fetch-jwks did not bring the instance's keys") || !hasAssumption(v, tc.errText) || !hasAssumption(v, "--jwt-key") {
					t.Errorf("assumptions %q", v.Assumptions)
				}
			}
			path, _ := seen.Load().(string)
			if hits.Load() != 1 || path != "/.well-known/jwks.json" {
				t.Errorf("%d fetches of %q, want one of /.well-known/jwks.json", hits.Load(), path)
			}
			if tc.errText == "" && len(warnings) > 0 || tc.errText != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tc.errText) || strings.Contains(warnings[0], "\n")) {
				t.Errorf("warnings %q", warnings)
			}
		})
	}
}

// TestFetchJWKSOnlyWithoutAKey: another key, an unknown instance or a
// config that throws for its missing secret key fetch nothing.
func TestFetchJWKSOnlyWithoutAKey(t *testing.T) {
	c := caseByName(t, "prod-valid-session-document")
	req := c.Request.toRequest()
	at := time.UnixMilli(c.Now)
	pem, err := os.ReadFile("../testdata/keys/instance-public.pem")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	pk := "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"
	for name, s := range map[string]*Setup{
		"jwtKey":               {Options: Options{PublishableKey: pk, JWTKey: string(pem)}},
		"canned Backend JWKS":  {Options: Options{PublishableKey: pk, API: &CannedAPI{JWKS: &CannedReply{Status: 200, Body: instanceJWKS(t)}}}},
		"explicit missing key": {Options: Options{PublishableKey: pk}, Complete: true},
		"unknown instance":     {Options: Options{}, Complete: true, SecretKeyInAppEnv: true},
	} {
		s.FetchJWKS = &FrontendJWKS{BaseURL: srv.URL}
		v := s.Judge(context.Background(), req, at, nil).Verdict
		if name == "unknown instance" && v.Status != Throws {
			t.Errorf("%s: %s", name, v.Status)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("%d fetches, want none", hits.Load())
	}
	// A paste whose instance is unknown says what --fetch-jwks needs.
	s := &Setup{FetchJWKS: &FrontendJWKS{BaseURL: srv.URL}}
	noIss := Request{Method: "GET", URL: "https://example.com/", Headers: []Header{{Name: "cookie", Value: "__session=" + unsignedToken(t) + "; __client_uat=1"}, {Name: "sec-fetch-dest", Value: "document"}}}
	if v := s.Judge(context.Background(), noIss, at, nil).Verdict; v.Token == nil || !hasAssumption(v, "--fetch-jwks needs the instance's Frontend API") {
		t.Errorf("unknown instance: %q", v.Assumptions)
	}
}

// unsignedToken is a session token without an iss (so no instance can be
// inferred from it), valid around the cases' clock.
func unsignedToken(t *testing.T) string {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "kid": "ins_x", "typ": "JWT"}) + "." +
		enc(map[string]any{"sub": "user_1", "sid": "sess_1", "iat": 1767225590, "nbf": 1767225580, "exp": 1767225650, "v": 2}) + "." +
		base64.RawURLEncoding.EncodeToString([]byte("sig"))
}
