package webhook

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestAgainstStandardWebhooks cross-checks the hand-written HMAC, secret
// decoding and signature matching with the Standard Webhooks reference
// library (test-only), on every SDK-checked delivery where the two
// specifications agree: a plain integer timestamp, a body that reads back
// as its own bytes, a canonical base64 secret. The library has no clock to
// inject, so the tolerance is left to TestVerifyAgainstSDK.
func TestAgainstStandardWebhooks(t *testing.T) {
	compared := 0
	for path, c := range loadCases(t) {
		d := parseFile(t, path)[0]
		v := Verify(d, d.Secret, d.Received)
		if v.key == nil || !v.TimestampRead || v.Body.Changed() {
			continue
		}
		id, _ := d.Get(HeaderSvixID)
		ts, _ := d.Get(HeaderSvixTimestamp)
		sig, _ := d.Get(HeaderSvixSignature)
		id, ts, sig = js.Trim(id), js.Trim(ts), js.Trim(sig)
		if id == "" || sig == "" || ts != strconv.FormatInt(v.Timestamp, 10) {
			continue
		}
		wh, err := standardwebhooks.NewWebhook(d.Secret)
		if err != nil {
			continue // a secret only @stablelib/base64 accepts
		}
		h := http.Header{}
		h.Set(HeaderStdID, id)
		h.Set(HeaderStdTimestamp, ts)
		h.Set(HeaderStdSignature, sig)
		libOK := wh.VerifyIgnoringTimestamp(d.Body, h) == nil
		if ours := v.Matched > 0; ours != libOK {
			t.Errorf("%s: signature matches = %v, the Standard Webhooks library says %v", c.Name, ours, libOK)
		}
		libSig, err := wh.Sign(id, time.Unix(v.Timestamp, 0), d.Body)
		if err != nil {
			t.Fatal(err)
		}
		if ours := Sign(v.key, id, v.Timestamp, d.Body); ours != libSig {
			t.Errorf("%s: Sign = %s, the library signs %s", c.Name, ours, libSig)
		}
		compared++
	}
	if compared < 20 {
		t.Errorf("only %d deliveries compared with the Standard Webhooks library", compared)
	}
	t.Logf("%d deliveries compared with the Standard Webhooks library", compared)
}
