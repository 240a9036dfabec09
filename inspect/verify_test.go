package inspect

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// TestSignatureAgreesWithGoJOSE verifies every token of every case with
// both the hot-path crypto/rsa check and go-jose's parse-and-verify (with
// the RS256/RS384/RS512 allow-list): they must always agree.
func TestSignatureAgreesWithGoJOSE(t *testing.T) {
	keys := map[string]*Key{}
	for _, f := range []string{"instance-public.pem", "other-public.pem"} {
		pem, err := os.ReadFile("../testdata/keys/" + f)
		if err != nil {
			t.Fatal(err)
		}
		k, err := PEMKey{PEM: string(pem)}.KeyFor(context.Background(), "x")
		if err != nil {
			t.Fatal(err)
		}
		keys[f] = k
	}
	checked, valid := 0, 0
	for _, dir := range []string{"../testdata/auth-cases", "../testdata/oracle-cases"} {
		for _, c := range loadCases(t, dir) {
			req := c.Request.toRequest()
			var toks []string
			for _, ck := range req.Cookies() {
				toks = append(toks, ck.Value)
			}
			toks = append(toks, strings.TrimPrefix(req.Value("authorization"), "Bearer "))
			for _, tok := range toks {
				j, err := DecodeJWT(tok)
				if err != nil {
					continue
				}
				alg, _ := js.AsString(js.Field(j.Header, "alg"))
				if _, ok := algHash(alg); !ok {
					if checkSignatureJOSE(j, keys["instance-public.pem"]) {
						t.Errorf("%s: go-jose accepted alg %q", c.Name, alg)
					}
					continue
				}
				for name, k := range keys {
					a, b := checkSignature(j, k, alg), checkSignatureJOSE(j, k)
					if a != b {
						t.Errorf("%s: %s key: crypto/rsa says %v, go-jose says %v", c.Name, name, a, b)
					}
					checked++
					if a {
						valid++
					}
				}
			}
		}
	}
	if checked < 100 || valid < 50 {
		t.Fatalf("only %d checks (%d valid)", checked, valid)
	}
}

// TestSmallKeyVerifyAgreesWithCryptoRSA checks the hand-written PKCS #1
// v1.5 verification used for moduli under 1024 bits against crypto/rsa run
// with rsa1024min=0 (the Go 1.23 behaviour), on small and ordinary keys,
// valid and broken signatures, and digests too long for the modulus.
func TestSmallKeyVerifyAgreesWithCryptoRSA(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0")
	hashes := []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}
	checked, valid := 0, 0
	for _, bits := range []int{512, 640, 768, 1000, 1023, 1024, 2048} {
		key, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		pub := &key.PublicKey
		k := (pub.N.BitLen() + 7) / 8
		for _, h := range hashes {
			for i := range 4 {
				hh := h.New()
				fmt.Fprintf(hh, "message %d/%d", bits, i)
				digest := hh.Sum(nil)
				sig, err := rsa.SignPKCS1v15(nil, key, h, digest)
				if err != nil { // the digest does not fit this modulus
					sig = make([]byte, k)
					sig[k-1] = 2
				}
				otherDigest := append([]byte(nil), digest...)
				otherDigest[0] ^= 1
				flipped := append([]byte(nil), sig...)
				flipped[len(flipped)/2] ^= 0x10
				for name, tc := range map[string]struct{ digest, sig []byte }{
					"valid":     {digest, sig},
					"digest":    {otherDigest, sig},
					"flipped":   {digest, flipped},
					"short":     {digest, sig[1:]},
					"long":      {digest, append([]byte{0}, sig...)},
					"modulus":   {digest, pub.N.FillBytes(make([]byte, k))},
					"zero":      {digest, make([]byte, k)},
					"truncated": {digest[:len(digest)-1], sig},
				} {
					want := rsa.VerifyPKCS1v15(pub, h, tc.digest, tc.sig) == nil
					if got := verifySmallPKCS1v15(pub, h, tc.digest, tc.sig); got != want {
						t.Errorf("%d bits, %v, %s: hand-written says %v, crypto/rsa says %v", bits, h, name, got, want)
					}
					if got := verifyPKCS1v15(pub, h, tc.digest, tc.sig); got != want {
						t.Errorf("%d bits, %v, %s: verifyPKCS1v15 says %v, crypto/rsa says %v", bits, h, name, got, want)
					}
					checked++
					if want {
						valid++
					}
				}
			}
		}
	}
	if valid < 60 {
		t.Fatalf("only %d of %d checks were valid signatures", valid, checked)
	}
}
