package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
	"github.com/clerkscope/clerkscope/internal/words"
)

// State is a verification outcome: the three of a token signature.
type State string

// States.
const (
	// Verified: verifyWebhook would return the event.
	Verified State = "verified"
	// Invalid: verifyWebhook would throw (Error is its text).
	Invalid State = "invalid"
	// Unverified: no signing secret was given, so the signature could not
	// be checked; the other checks are still reported.
	Unverified State = "unverified"
)

// Step is one check of verifyWebhook, in the SDK's order, with what it
// looked at: the evidence the outputs render unchanged.
type Step struct {
	ID      string `json:"id"`
	Check   string `json:"check"`
	Found   string `json:"found"`
	Outcome string `json:"outcome"` // pass, fail, skip (not reached)
}

// Body is how request.text() read the raw body.
type Body struct {
	// Text is the body as the SDK signs it (UTF-8 decoded).
	Text string `json:"-"`
	// Bytes is the raw length.
	Bytes int `json:"bytes"`
	// BOM is true when a leading byte-order mark was dropped.
	BOM bool `json:"bom,omitempty"`
	// Replaced counts invalid UTF-8 sequences turned into U+FFFD.
	Replaced int `json:"replaced,omitempty"`
}

// Changed reports whether the SDK signs other bytes than were received.
func (b Body) Changed() bool { return b.BOM || b.Replaced > 0 }

// Verification is what verifyWebhook decides about one delivery.
type Verification struct {
	State State `json:"state"`
	// Error is the SDK's exception text, verbatim (also for a missing secret).
	Error string `json:"error,omitempty"`
	// Failure is the check that failed.
	Failure Failure `json:"failure,omitempty"`
	// JudgedAt is the clock the 5-minute tolerance was measured at.
	JudgedAt time.Time `json:"judgedAt"`
	// Timestamp is svix-timestamp as parseInt read it (TimestampRead false
	// when it could not be read).
	Timestamp     int64 `json:"timestamp,omitempty"`
	TimestampRead bool  `json:"-"`
	// SkewSeconds is the timestamp minus the judging clock.
	SkewSeconds int64 `json:"skewSeconds,omitempty"`
	// Entries is the number of v1 signatures; Matched the one that matched
	// (from 1), 0 when none did.
	Entries int    `json:"entries"`
	Matched int    `json:"matched,omitempty"`
	Body    Body   `json:"body"`
	Steps   []Step `json:"steps"`
	// Payload is the parsed body once verified.
	Payload any `json:"-"`

	key []byte // the decoded secret, for the cause search; never output
}

// signedContent is what Svix signs: "id.timestamp.body".
func signedContent(id string, ts int64, body string) []byte {
	return []byte(id + "." + strconv.FormatInt(ts, 10) + "." + body)
}

// Sign is a v1 signature over id.timestamp.body with key (the decoded
// secret), base64 with padding as Svix writes it.
func Sign(key []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func expected(key, content []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(content)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// DecodeSecret is the Webhook constructor: the whsec_ prefix stripped and
// the rest base64-decoded the way @stablelib/base64 does. The error is the
// library's text.
func DecodeSecret(secret string) ([]byte, string) {
	key, e := stablelibDecode(strings.TrimPrefix(secret, secretPrefix))
	if e != "" {
		return nil, e
	}
	if len(key) == 0 {
		return nil, msgEmptySecret
	}
	return key, ""
}

// signatures splits a signature header as standardwebhooks does: entries on
// single spaces, each "version,signature" on commas (parts past the second
// ignored), only version "v1" compared.
func signatures(header string) []string {
	var out []string
	for _, entry := range strings.Split(header, " ") {
		parts := strings.Split(entry, ",")
		if parts[0] != "v1" {
			continue
		}
		sig := ""
		if len(parts) > 1 {
			sig = parts[1]
		}
		out = append(out, sig)
	}
	return out
}

// matchIndex is the first of sigs equal to want (from 1), 0 for none.
func matchIndex(sigs []string, want string) int {
	for i, s := range sigs {
		if subtle.ConstantTimeCompare([]byte(s), []byte(want)) == 1 {
			return i + 1
		}
	}
	return 0
}

// Verify judges d as verifyWebhook(request, {signingSecret: secret}) would
// at now (the server's clock). Every check is recorded; those the SDK does
// not reach once one fails are still evaluated where they can be, marked
// "skip", so the explanation can use them.
//
// Verify is @clerk/backend's verifyWebhook with standardwebhooks 1.1.1's
// Webhook.verify inside.
func Verify(d *Delivery, secret string, now time.Time) *Verification {
	v := &Verification{JudgedAt: now}
	fail := func(f Failure, msg string) {
		if v.Failure == FailNone {
			v.Failure, v.Error = f, msg
		}
	}
	reached := func() bool { return v.Failure == FailNone }
	outcome := func(ok bool) string {
		switch {
		case !reached():
			return "skip"
		case ok:
			return "pass"
		}
		return "fail"
	}

	// W1: the secret (options, else CLERK_WEBHOOK_SIGNING_SECRET).
	if secret == "" {
		v.Steps = append(v.Steps, Step{"W1", "signing secret given", "none (--webhook-secret or " + EnvSigningSecret + ")", "fail"})
		fail(FailNoSecret, sdkPrefix+msgMissingSecret)
	} else {
		v.Steps = append(v.Steps, Step{"W1", "signing secret given", MaskSecret(secret), "pass"})
	}

	// W2: the three svix-* headers, trimmed, non-empty.
	id, _ := d.Get(HeaderSvixID)
	ts, _ := d.Get(HeaderSvixTimestamp)
	sig, _ := d.Get(HeaderSvixSignature)
	id, ts, sig = js.Trim(id), js.Trim(ts), js.Trim(sig)
	var missing []string
	for _, h := range []struct{ name, val string }{{HeaderSvixID, id}, {HeaderSvixTimestamp, ts}, {HeaderSvixSignature, sig}} {
		if h.val == "" {
			missing = append(missing, h.name)
		}
	}
	found := "all three present"
	if missing != nil {
		found = "missing " + strings.Join(missing, ", ")
	}
	v.Steps = append(v.Steps, Step{"W2", "svix-id, svix-timestamp, svix-signature present (trimmed, non-empty)", found, outcome(missing == nil)})
	if missing != nil {
		fail(FailHeaders, sdkPrefix+msgMissingHeaders+strings.Join(missing, ", "))
	}

	// W3: request.text() — UTF-8 decoding of the raw body.
	text, bom, replaced := js.DecodeUTF8(d.Body)
	v.Body = Body{Text: text, Bytes: len(d.Body), BOM: bom, Replaced: replaced}
	bodyFound := fmt.Sprintf("%d bytes, valid UTF-8", len(d.Body))
	switch {
	case bom && replaced > 0:
		bodyFound = fmt.Sprintf("%d bytes: leading BOM dropped, %d invalid UTF-8 sequence(s) replaced by U+FFFD", len(d.Body), replaced)
	case bom:
		bodyFound = fmt.Sprintf("%d bytes: leading BOM dropped (the SDK signs the text without it)", len(d.Body))
	case replaced > 0:
		bodyFound = fmt.Sprintf("%d bytes: %d invalid UTF-8 sequence(s) replaced by U+FFFD (the SDK signs the replaced text)", len(d.Body), replaced)
	}
	v.Steps = append(v.Steps, Step{"W3", "body read as request.text() reads it (UTF-8)", bodyFound, outcome(true)})

	// W4: new Webhook(secret) — base64 decoding of the secret.
	if secret != "" {
		key, e := DecodeSecret(secret)
		if e != "" {
			v.Steps = append(v.Steps, Step{"W4", "secret decodes (whsec_ prefix stripped, base64)", e, outcome(false)})
			fail(FailSecret, e)
		} else {
			v.key = key
			v.Steps = append(v.Steps, Step{"W4", "secret decodes (whsec_ prefix stripped, base64)", fmt.Sprintf("%d-byte key", len(key)), outcome(true)})
		}
	}

	// W5: the timestamp, read by parseInt, within 5 minutes of now.
	nowSec := now.UnixMilli()
	if nowSec >= 0 {
		nowSec /= 1000
	} else {
		nowSec = (nowSec - 999) / 1000
	}
	if ts != "" {
		p := js.ReadInt(ts, 10)
		n, exact := p.Int64()
		switch {
		case p.NaN:
			v.Steps = append(v.Steps, Step{"W5", "svix-timestamp is a number (parseInt)", fmt.Sprintf("%q is not a number", ts), outcome(false)})
			fail(FailTimestamp, sdkPrefix+msgUnableToVerify+msgInvalidHeaders)
		case !exact || nowSec-n > toleranceSeconds || n > nowSec+toleranceSeconds:
			tooOld := exact && nowSec-n > toleranceSeconds || !exact && p.Negative
			what := fmt.Sprintf("%s read as %s", ts, readAs(p))
			if exact {
				v.Timestamp, v.TimestampRead, v.SkewSeconds = n, true, n-nowSec
				what += fmt.Sprintf(": %s the server clock (%s)", relative(n-nowSec), now.UTC().Format(time.RFC3339))
			}
			v.Steps = append(v.Steps, Step{"W5", "svix-timestamp within 5 minutes of the server clock", what, outcome(false)})
			if tooOld {
				fail(FailTooOld, sdkPrefix+msgUnableToVerify+msgTooOld)
			} else {
				fail(FailTooNew, sdkPrefix+msgUnableToVerify+msgTooNew)
			}
		default:
			v.Timestamp, v.TimestampRead, v.SkewSeconds = n, true, n-nowSec
			what := fmt.Sprintf("%s (%s the server clock)", time.Unix(n, 0).UTC().Format(time.RFC3339), relative(n-nowSec))
			if p.Rest != "" || p.Negative || strconv.FormatInt(n, 10) != ts {
				what = fmt.Sprintf("%q read as %d by parseInt, ", ts, n) + what
			}
			v.Steps = append(v.Steps, Step{"W5", "svix-timestamp within 5 minutes of the server clock", what, outcome(true)})
		}
	}

	// W6: a v1 signature equal to HMAC-SHA256(id.timestamp.body).
	sigs := signatures(sig)
	v.Entries = len(sigs)
	if v.key != nil && id != "" && sig != "" && v.TimestampRead {
		want := expected(v.key, signedContent(id, v.Timestamp, text))
		v.Matched = matchIndex(sigs, want)
		found := fmt.Sprintf("none of %d v1 signature(s) matches", len(sigs))
		switch {
		case v.Matched > 0 && len(sigs) > 1:
			found = fmt.Sprintf("v1 signature %d of %d matches (the others are for other secrets: rotation)", v.Matched, len(sigs))
		case v.Matched > 0:
			found = "the v1 signature matches"
		case len(sigs) == 0:
			found = "no v1 signature in the header"
		}
		v.Steps = append(v.Steps, Step{"W6", "a v1 signature matches HMAC-SHA256(svix-id.svix-timestamp.body)", found, outcome(v.Matched > 0)})
		if v.Matched == 0 {
			fail(FailSignature, sdkPrefix+msgUnableToVerify+msgNoMatch)
		}
	} else {
		v.Steps = append(v.Steps, Step{"W6", "a v1 signature matches HMAC-SHA256(svix-id.svix-timestamp.body)", fmt.Sprintf("%d v1 signature(s); not checked", len(sigs)), "skip"})
	}

	// W7: JSON.parse of the body, then payload.type.
	if text == "" {
		v.Steps = append(v.Steps, Step{"W7", "body is a JSON event", "empty body", outcome(false)})
		fail(FailNotAnObject, sdkPrefix+msgUnableToVerify+msgReadTypeOfUndef)
	} else if e := v8JSONError(text); e != "" {
		v.Steps = append(v.Steps, Step{"W7", "body is a JSON event", "JSON.parse: " + e, outcome(false)})
		fail(FailNotJSON, sdkPrefix+msgUnableToVerify+e)
	} else {
		var payload any
		if err := json.Unmarshal([]byte(text), &payload); err != nil {
			// JSON that V8 accepts and Go does not (lone surrogate escapes):
			// keep the SDK's reading, a value without an event inside.
			payload = nil
		}
		switch payload.(type) {
		case nil:
			if strings.TrimSpace(text) == "null" {
				v.Steps = append(v.Steps, Step{"W7", "body is a JSON event", "null", outcome(false)})
				fail(FailNotAnObject, sdkPrefix+msgUnableToVerify+msgReadTypeOfNull)
				break
			}
			v.Steps = append(v.Steps, Step{"W7", "body is a JSON event", "JSON", outcome(true)})
		case map[string]any:
			v.Steps = append(v.Steps, Step{"W7", "body is a JSON event", "a JSON object", outcome(true)})
		default:
			v.Steps = append(v.Steps, Step{"W7", "body is a JSON event", "JSON but not an object: the SDK returns an event without a type", outcome(true)})
		}
		v.Payload = payload
	}

	switch {
	case v.Failure == FailNone:
		v.State = Verified
	case v.Failure == FailNoSecret:
		v.State = Unverified
	default:
		v.State = Invalid
	}
	return v
}

// readAs says what parseInt made of a timestamp that is out of range.
func readAs(p js.Int) string {
	if n, ok := p.Int64(); ok {
		return strconv.FormatInt(n, 10)
	}
	sign := ""
	if p.Negative {
		sign = "-"
	}
	return fmt.Sprintf("%s%d-digit number", sign, len(p.Digits))
}

// relative says how far a timestamp is from the clock ("3m20s before").
func relative(d int64) string {
	return words.Relative(time.Duration(d)*time.Second, time.Duration.String, "equal to", "")
}

// signedBy reports whether any v1 entry of d's signature header (split
// as splitSig does, signatures when nil) signs svix-id.ts.body under v's
// key: how the causes test what the sender must have signed.
func (v *Verification) signedBy(d *Delivery, ts string, body []byte, splitSig func(string) []string) bool {
	id, _ := d.Get(HeaderSvixID)
	return v.signedWith(d, js.Trim(id), ts, body, splitSig)
}

// signedWith is signedBy with another svix-id.
func (v *Verification) signedWith(d *Delivery, id, ts string, body []byte, splitSig func(string) []string) bool {
	if v.key == nil {
		return false
	}
	sig, _ := d.Get(HeaderSvixSignature)
	if splitSig == nil {
		splitSig = signatures
	}
	content := append([]byte(id+"."+ts+"."), body...)
	return matchIndex(splitSig(js.Trim(sig)), expected(v.key, content)) > 0
}
