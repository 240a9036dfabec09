package inspect

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// benchCase is the prod-valid-session-document case (jwtKey, the cookie
// path to C16) with its options, request and clock.
func benchCase(b *testing.B) (authCase, Options, Request, time.Time) {
	b.Helper()
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
	return c, opts, c.Request.toRequest(), time.UnixMilli(c.Now)
}

// BenchmarkJudge is one full verdict at the first sight of its token:
// the token's decoding, the Cookie header's parsing and the RSA-2048
// signature check all done, nothing reused. The requests carry tokens
// signed for the benchmark (the case's claims and a distinct jti, so the
// same verdict), and the memos are made too small to keep any of them
// while the requests cycle.
func BenchmarkJudge(b *testing.B) {
	_, opts, req, now := benchCase(b)
	reqs := withFreshTokens(b, req, 8)
	defer useMemos(1)()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		v := Judge(context.Background(), reqs[i%len(reqs)], opts, Env{Now: now})
		if v.Status != SignedIn || v.Signature == nil || v.Signature.State != SigVerified {
			b.Fatal(v.Status, v.Reason)
		}
		i++
	}
}

// BenchmarkJudgeSeen is the same verdict for a request whose token and
// Cookie header were seen before, as the thousands of requests of a
// capture that send one session cookie: what does not depend on the clock
// is reused, the claims' times and every other check are judged again.
func BenchmarkJudgeSeen(b *testing.B) {
	_, opts, req, now := benchCase(b)
	Judge(context.Background(), req, opts, Env{Now: now})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v := Judge(context.Background(), req, opts, Env{Now: now})
		if v.Status != SignedIn || v.Signature == nil || v.Signature.State != SigVerified {
			b.Fatal(v.Status, v.Reason)
		}
	}
}

// BenchmarkJudgeSeenExpired is BenchmarkJudgeSeen for a fetch an hour
// later: the token has expired, as for the requests a page sends after its
// tab slept (signed out: a fetch cannot be redirected). The SDK's message
// names the request's time, so each verdict writes its own.
func BenchmarkJudgeSeenExpired(b *testing.B) {
	_, opts, req, now := benchCase(b)
	req.Headers = append([]Header(nil), req.Headers...)
	req.Set(HeaderSecFetchDest, "empty")
	now = now.Add(time.Hour)
	Judge(context.Background(), req, opts, Env{Now: now})
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		// A request every 30 ms, as a busy page sends them.
		at := now.Add(time.Duration(i%1000) * 30 * time.Millisecond)
		v := Judge(context.Background(), req, opts, Env{Now: at})
		if v.Status != SignedOut || v.Reason != refreshReasonPrefix+RefreshNonEligibleNoCookie {
			b.Fatal(v.Status, v.Reason)
		}
		i++
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

// useMemos replaces the memos with empty ones of the given size, and
// returns what puts the old ones back.
func useMemos(size int) (restore func()) {
	t, c, s, cs := tokens, cookieHeaders, signatures, checkedSignatures
	a, k := auths, pemKeyFor
	tokens = newMemo[string, decodedToken](size)
	cookieHeaders = newMemo[string, parsedCookies](size)
	signatures = newMemo[signatureCheck, bool](size)
	checkedSignatures = newMemo[signatureOf, *checkedSignature](size)
	auths = newMemo[*JWT, *Auth](size)
	pemKeyFor = newMemo[pemKID, *pemKey](size)
	lastPEMKey.Store(nil)
	lastSignature.Store(nil)
	return func() {
		tokens, cookieHeaders, signatures, checkedSignatures, auths, pemKeyFor = t, c, s, cs, a, k
	}
}

// sessionCookie is the value of req's last __session cookie ("" if none).
func sessionCookie(req Request) string {
	var session string
	for _, c := range req.Cookies() {
		if c.Name == CookieSession {
			session = c.Value
		}
	}
	return session
}

// withFreshTokens returns n copies of req whose __session is the same
// token with a distinct jti, signed with the instance's key.
func withFreshTokens(tb testing.TB, req Request, n int) []Request {
	tb.Helper()
	key := instancePrivateKey(tb)
	session := sessionCookie(req)
	tok, err := decodeJWT(session)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]Request, n)
	for i := range out {
		claims := map[string]any{}
		for k, v := range tok.Payload.(map[string]any) {
			claims[k] = v
		}
		claims["jti"] = fmt.Sprintf("bench-%d", i)
		fresh := signRS256(tb, key, tok.RawHeader, claims)
		r := req
		r.Headers = append([]Header(nil), req.Headers...)
		r.Set(HeaderCookie, strings.Replace(req.Value(HeaderCookie), session, fresh, 1))
		out[i] = r
	}
	return out
}

func instancePrivateKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	data, err := os.ReadFile("../testdata/keys/instance-private.pem")
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatal("instance-private.pem: no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// signRS256 signs claims under a header already encoded.
func signRS256(tb testing.TB, key *rsa.PrivateKey, header string, claims map[string]any) string {
	tb.Helper()
	body, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	input := header + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// BenchmarkSignatureRSA2048 is the RSA-2048 check alone (checkSignature,
// no memo), for reading BenchmarkJudge against in the same run.
func BenchmarkSignatureRSA2048(b *testing.B) {
	_, opts, req, _ := benchCase(b)
	session := sessionCookie(req)
	tok, err := decodeJWT(session)
	if err != nil {
		b.Fatal(err)
	}
	key, err := PEMKey{PEM: opts.JWTKey}.KeyFor(context.Background(), "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !checkSignature(tok, key, "RS256") {
			b.Fatal("the signature does not verify")
		}
	}
}
