package inspect

import (
	"context"
	"os"
	"strings"
	"testing"
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
				alg, _ := asString(field(j.Header, "alg"))
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
