package webhook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/clerkscope/clerkscope/cause"
	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// Diagnosis is a cause behind a delivery's failure, in the shape of the
// request diagnoses (cause.Finding, as har.Diagnosis has it), with what was
// seen and the deliveries it is about. Its confidence is cause.Certain (the
// input proves it: a re-serialized body the signature matches),
// cause.Likely (the evidence fits and nothing else seen explains it) or
// cause.Possible.
type Diagnosis struct {
	cause.Finding
	Evidence []string `json:"evidence"`
	// Deliveries are the positions (from 0) of the deliveries it is about,
	// in the input's order.
	Deliveries []int `json:"deliveries"`
}

// Cause codes (stable).
const (
	CodeMissingSecret     = "missing-secret"
	CodeSecretMalformed   = "secret-malformed"
	CodeSecretIsAPIKey    = "secret-is-api-key"
	CodeWrongSecret       = "wrong-secret"
	CodeStandardNames     = "headers-standard-names"
	CodeHeadersRenamed    = "headers-renamed"
	CodeHeadersStripped   = "headers-stripped"
	CodeHeadersDuplicated = "headers-duplicated"
	CodeSigMalformed      = "signature-header-malformed"
	CodeTimestampNotInt   = "timestamp-not-integer"
	CodeTooOld            = "timestamp-too-old"
	CodeTooNew            = "timestamp-too-new"
	CodeReserialized      = "body-reserialized"
	CodeObjectObject      = "body-object-object"
	CodeBase64            = "body-base64"
	CodeTrailingNewline   = "body-trailing-newline"
	CodeBOM               = "body-bom"
	CodeInvalidUTF8       = "body-invalid-utf8"
	CodeNotJSON           = "body-not-json"
	CodeRouteProtected    = "route-protected"
	CodeRedirect          = "endpoint-redirects"
	CodeHandlerFailed     = "handler-failed"
	CodeUnknownType       = "unknown-event-type"
	CodeDuplicateInsert   = "duplicate-insert"
	CodeDedupeOnDataID    = "dedupe-on-data-id"
	CodeRetried           = "retried"
	CodeInstancesMixed    = "instances-mixed"
	CodeOtherInstance     = "event-from-another-instance"
	CodeVerified          = "verified"
)

// rawBodyFix is how to hand verifyWebhook the raw body, per framework
// Clerk documents.
var rawBodyFix = []string{
	"Verify the body exactly as received, before anything parses it: never JSON.stringify(req.body) or re-encode it.",
	"Next.js App Router: `const evt = await verifyWebhook(req)` from @clerk/nextjs/webhooks, with nothing reading req.json() or req.text() before; use evt, not the body. Pages Router: `export const config = { api: { bodyParser: false } }` and read the raw stream.",
	"Express: mount `express.raw({ type: 'application/json' })` on the webhook route (before app.use(express.json())) and call verifyWebhook(req) from @clerk/express/webhooks.",
	"Fastify: register the webhook route with a raw-body content-type parser (`addContentTypeParser('application/json', { parseAs: 'string' }, …)`) and call verifyWebhook(request) from @clerk/fastify/webhooks.",
	"React Router, Astro, Nuxt, TanStack React Start: verifyWebhook from the SDK's webhooks entry (@clerk/react-router/webhooks, @clerk/astro/webhooks, @clerk/nuxt/webhooks, @clerk/tanstack-react-start/webhooks) on the untouched request, before anything reads its body; any other backend: verifyWebhook from @clerk/backend/webhooks on a Request built from the raw bytes, or the Standard Webhooks/Svix library on them before decoding JSON.",
}

var publicRouteFix = []string{
	"Make the webhook route public in clerkMiddleware: e.g. `const isPublic = createRouteMatcher(['/api/webhooks(.*)'])` and skip auth.protect() for it — Svix sends no session, so a protected route answers 401, 404 or a redirect to sign-in.",
	"Keep the signature check as the route's only protection: verifyWebhook in the handler.",
}

func newDiag(code, confidence, title, why string, fix []string, docs string, evidence ...string) Diagnosis {
	if fix == nil {
		fix = []string{}
	}
	if evidence == nil {
		evidence = []string{}
	}
	c := cause.Entry{Code: code, Problem: code != CodeVerified, Why: why, Fix: fix, Docs: docs}
	return Diagnosis{Finding: c.Found(confidence, title), Evidence: evidence, Deliveries: []int{}}
}

// Diagnose explains one delivery: why verifyWebhook refused it (found by
// testing what the sender must have signed, when the key is known), or,
// when it passed, what the handler's answer shows. secret is what Verify
// was given.
func Diagnose(d *Delivery, v *Verification, secret string) []Diagnosis {
	var out []Diagnosis
	add := func(dg Diagnosis) { out = append(out, dg) }

	// The secret itself.
	switch {
	case v.Failure == FailNoSecret:
		add(newDiag(CodeMissingSecret, cause.Certain, "no signing secret: the signature was not checked",
			"verifyWebhook needs the endpoint's signing secret (options.signingSecret or "+EnvSigningSecret+"); without it the app throws this same error on every delivery. clerkscope judged everything else.",
			[]string{"Give clerkscope the endpoint's secret: --webhook-secret whsec_… or " + EnvSigningSecret + " (Clerk Dashboard → Webhooks → the endpoint → Signing Secret).",
				"If the app logs this error, set " + EnvSigningSecret + " where the app runs (and redeploy)."}, docsVerify))
	case strings.HasPrefix(secret, "sk_") || strings.HasPrefix(secret, "pk_"):
		add(newDiag(CodeSecretIsAPIKey, cause.Certain, "the signing secret is a Clerk API key",
			fmt.Sprintf("%s is an API key, not an endpoint's signing secret (whsec_…): the SDK cannot decode it (%s).", keyKind(secret), v.Error),
			[]string{"Use the endpoint's Signing Secret (whsec_…) from Clerk Dashboard → Webhooks → the endpoint, in " + EnvSigningSecret + "."}, docsVerify))
	case v.Failure == FailSecret:
		why := "The Webhook constructor could not decode the secret: " + v.Error + "."
		if t := strings.Trim(secret, "\"' \t\r\n"); t != secret {
			why += " It carries quotes or whitespace around it (copied with them from a .env file or a shell)."
		}
		add(newDiag(CodeSecretMalformed, cause.Certain, "the signing secret is not a whsec_ secret", why,
			[]string{"Copy the Signing Secret again from the Dashboard: whsec_ and 32 base64 characters, no quotes or spaces.", "In a .env file write CLERK_WEBHOOK_SIGNING_SECRET=whsec_… without quotes around it, or check how the platform stores it."}, docsVerify,
			"secret "+MaskSecret(secret)))
	}

	// Headers.
	if v.Failure == FailHeaders {
		out = append(out, headerCauses(d, v)...)
	} else if d.Count(HeaderSvixID) > 1 || d.Count(HeaderSvixTimestamp) > 1 || d.Count(HeaderSvixSignature) > 1 {
		var dup []string
		for _, h := range []string{HeaderSvixID, HeaderSvixTimestamp, HeaderSvixSignature} {
			if n := d.Count(h); n > 1 {
				dup = append(dup, fmt.Sprintf("%s ×%d", h, n))
			}
		}
		if v.State != Verified && (v.Failure != FailSignature || d.Count(HeaderSvixID) == 1) {
			add(newDiag(CodeHeadersDuplicated, cause.Possible, "signature headers sent more than once",
				"The request has "+strings.Join(dup, ", ")+": Headers.get joins repeated values with \", \", so the SDK signs \"id, id\" or compares a joined timestamp. A proxy or tunnel added a copy.",
				[]string{"Make the proxy pass the svix-* headers through once, unchanged."}, docsDebugging))
		}
	}

	// The timestamp.
	if ts, ok := d.Get(HeaderSvixTimestamp); ok {
		ts = js.Trim(ts)
		p := js.ReadInt(ts, 10)
		n, exact := p.Int64()
		notInt := ts != "" && (p.NaN || p.Rest != "" || p.Negative || (exact && strconv.FormatInt(n, 10) != ts))
		switch {
		case v.Failure == FailTimestamp:
			add(newDiag(CodeTimestampNotInt, cause.Certain, "svix-timestamp is not a number",
				fmt.Sprintf("svix-timestamp is %q: parseInt reads no number from it, so the SDK throws %q. Svix sends whole unix seconds.", ts, msgInvalidHeaders),
				[]string{"Pass svix-timestamp through unchanged (a proxy or a test sender rewrote it)."}, docsDebugging))
		case notInt && v.Failure == FailSignature && v.signedBy(d, ts, d.Body, nil):
			add(newDiag(CodeTimestampNotInt, cause.Certain, "svix-timestamp is not a plain integer",
				fmt.Sprintf("svix-timestamp is %q; the SDK reads it with parseInt (%d) and signs that number, but the sender signed the text as written.", ts, n),
				[]string{"Send whole unix seconds in svix-timestamp and sign exactly those digits."}, docsDebugging))
		case v.Failure == FailTooOld || v.Failure == FailTooNew:
			add(timestampCause(d, v, ts, p))
		}
	}

	// The signature: what did the sender sign?
	if v.Failure == FailSignature {
		out = append(out, signatureCauses(d, v)...)
	}

	if v.Failure == FailNotJSON || v.Failure == FailNotAnObject {
		add(newDiag(CodeNotJSON, cause.Certain, "the signature matches but the body is no JSON event",
			"The SDK verified the signature, then JSON.parse or reading .type failed: "+strings.TrimPrefix(v.Error, sdkPrefix+msgUnableToVerify)+". Clerk always sends a JSON event; this body was made by hand or cut short.",
			[]string{"Send a whole Clerk event (the Dashboard's Testing tab sends real ones)."}, docsDebugging))
	}

	// The handler's answer (the delivery may be fine).
	out = append(out, responseCauses(d, v)...)

	if v.State == Verified {
		ev := ParseEvent(v.Payload)
		if ev.Type != "" && !ev.Known {
			add(newDiag(CodeUnknownType, cause.Possible, "an event type clerkscope does not know: "+ev.Type,
				"The signature is good but "+ev.Type+" is none of the 45 event types of @clerk/backend 3.25.0: a newer type, or a hand-made test event. A handler that switches on evt.type ignores it.",
				[]string{"Check the event types the endpoint subscribes to in the Dashboard, and handle or ignore unknown types explicitly (answer 2xx)."}, docsOverview))
		}
	}
	if len(out) == 0 && v.State == Verified {
		add(newDiag(CodeVerified, cause.Certain, "the delivery verifies", "verifyWebhook returns the event: the signature, the headers and the timestamp are as Clerk sent them.", nil, ""))
	}
	return out
}

func keyKind(s string) string {
	switch {
	case strings.HasPrefix(s, "sk_live_"):
		return "a production secret key (sk_live_…)"
	case strings.HasPrefix(s, "sk_test_"):
		return "a development secret key (sk_test_…)"
	case strings.HasPrefix(s, "pk_"):
		return "a publishable key (pk_…)"
	}
	return "an API key"
}

var reSvixLike = regexp.MustCompile(`(?i)svix|webhook[-_]?(id|timestamp|signature)`)

func headerCauses(d *Delivery, v *Verification) []Diagnosis {
	_, hasStdID := d.Get(HeaderStdID)
	_, hasStdSig := d.Get(HeaderStdSignature)
	var svixOnes, similar []string
	for _, h := range d.Headers {
		n := strings.ToLower(strings.TrimSpace(h.Name))
		switch n {
		case HeaderSvixID, HeaderSvixTimestamp, HeaderSvixSignature:
			svixOnes = append(svixOnes, n)
		case HeaderStdID, HeaderStdTimestamp, HeaderStdSignature:
		default:
			if reSvixLike.MatchString(n) {
				similar = append(similar, h.Name)
			}
		}
	}
	missing := strings.TrimPrefix(v.Error, sdkPrefix+msgMissingHeaders)
	switch {
	case (hasStdID || hasStdSig) && len(svixOnes) == 0:
		return []Diagnosis{newDiag(CodeStandardNames, cause.Certain, "Standard Webhooks header names (webhook-*) instead of svix-*",
			"The request carries webhook-id/webhook-timestamp/webhook-signature. Clerk sends svix-id, svix-timestamp and svix-signature, and verifyWebhook reads only those (it copies them to the webhook-* names itself), so it reports them missing. Something between Clerk and the app renamed them, or the delivery was made by a Standard Webhooks sender.",
			[]string{"Pass the svix-* headers through unchanged (check the proxy, tunnel or queue in between).", "For a sender that only speaks Standard Webhooks, verify with the standardwebhooks package directly instead of verifyWebhook."}, docsVerify,
			"missing: "+missing)}
	case len(similar) > 0:
		return []Diagnosis{newDiag(CodeHeadersRenamed, cause.Certain, "the signature headers arrived under other names",
			"verifyWebhook looks for svix-id, svix-timestamp and svix-signature; the request has "+strings.Join(similar, ", ")+": a gateway, tunnel or queue renamed them on the way.",
			[]string{"Forward the headers under their own names, or copy them back to svix-* before calling verifyWebhook."}, docsDebugging,
			"missing: "+missing)}
	}
	why := "The request lacks " + missing + ". Clerk sends all three on every delivery; a proxy or CDN dropped them, or the handler passes verifyWebhook a request it built itself without the original headers."
	if len(d.Headers) == 0 {
		why = "The input has no headers at all: paste the request with its headers (the Dashboard's message attempt shows them), or the handler passes verifyWebhook a request without them."
	}
	return []Diagnosis{newDiag(CodeHeadersStripped, cause.Likely, "signature headers missing", why,
		[]string{"Pass the original Request (headers and raw body) to verifyWebhook.", "Check that the proxy, CDN or function platform forwards the svix-* headers."}, docsDebugging,
		"missing: "+missing)}
}

func timestampCause(d *Delivery, v *Verification, ts string, p js.Int) Diagnosis {
	code, title := CodeTooOld, "svix-timestamp is more than 5 minutes old"
	if v.Failure == FailTooNew {
		code, title = CodeTooNew, "svix-timestamp is more than 5 minutes in the future"
	}
	var why string
	fix := []string{}
	switch {
	case len(p.Digits) >= 13 && !p.Negative:
		why = fmt.Sprintf("svix-timestamp %s has %d digits: milliseconds, where Svix sends seconds; the SDK reads it as a time thousands of years ahead.", ts, len(p.Digits))
		fix = append(fix, "Send unix seconds in svix-timestamp (a test sender or proxy wrote milliseconds).")
	case !v.TimestampRead:
		why = fmt.Sprintf("svix-timestamp %q is read by parseInt as %s, nowhere near the server clock.", ts, readAs(p))
		fix = append(fix, "Send whole unix seconds in svix-timestamp.")
	case d.Received.IsZero() && v.SkewSeconds < -3600:
		why = fmt.Sprintf("The delivery was signed %s and judged now: it is a saved delivery sent again (a request replayed with curl or from the logs keeps its old timestamp and signature). The input does not say when it arrived; give --now to judge it at that time.", relative(v.SkewSeconds))
		fix = append(fix, "Replay a message from the Dashboard (Webhooks → the endpoint → the message → Resend): Svix signs each attempt afresh.", "To test by hand, sign a new delivery with the current time.")
	default:
		why = fmt.Sprintf("At the server clock (%s), svix-timestamp is %s it; the SDK allows 5 minutes either way. Svix signs each attempt when it sends it, so either the server's clock is off by that much, or the handler verified the delivery long after it arrived (a queue, a slow cold start, a retry of the handler's own).", v.JudgedAt.UTC().Format("2006-01-02T15:04:05Z"), relative(v.SkewSeconds))
		fix = append(fix, "Check the server's clock (NTP); containers and VMs resumed from sleep drift.", "Verify the delivery as soon as it arrives, before queueing the work.")
	}
	return newDiag(code, cause.Certain, title, why, fix, docsDebugging, "svix-timestamp "+ts, "server clock "+v.JudgedAt.UTC().Format("2006-01-02T15:04:05Z"))
}

// splitAnySpace splits signature entries on any whitespace (what a sender
// meant when it joined them with tabs or newlines).
func splitAnySpace(header string) []string {
	var out []string
	for _, e := range strings.Fields(header) {
		parts := strings.Split(e, ",")
		if len(parts) > 1 && strings.HasPrefix(parts[0], "v1") {
			out = append(out, parts[1])
		}
	}
	return out
}

// padded adds back stripped base64 padding to each signature.
func padded(header string) []string {
	var out []string
	for _, s := range splitAnySpace(header) {
		if n := len(s) % 4; n != 0 {
			s += strings.Repeat("=", 4-n)
		}
		out = append(out, s)
	}
	return out
}

// bodyVariant is a guess at what the sender signed, and what it means.
type bodyVariant struct {
	code, title, why string
	body             []byte
	fix              []string
}

func signatureCauses(d *Delivery, v *Verification) []Diagnosis {
	tsText := strconv.FormatInt(v.Timestamp, 10)
	body := d.Body
	text := v.Body.Text

	// A header sent twice: the SDK signs the joined value.
	if d.Count(HeaderSvixID) > 1 {
		for _, h := range d.Headers {
			if strings.EqualFold(strings.TrimSpace(h.Name), HeaderSvixID) {
				if v.signedWith(d, js.Trim(h.Value), tsText, []byte(text), nil) {
					return []Diagnosis{newDiag(CodeHeadersDuplicated, cause.Certain, "svix-id sent twice",
						"The signature is over svix-id \""+js.Trim(h.Value)+"\", but the request carries svix-id twice and Headers.get joins the values with \", \": the SDK signs the joined text. A proxy or tunnel added the copy.",
						[]string{"Make the proxy pass the svix-* headers through once, unchanged."}, docsDebugging)}
				}
				break
			}
		}
	}

	// Bytes the SDK changed while reading.
	if v.Body.BOM && v.signedBy(d, tsText, body, nil) {
		return []Diagnosis{newDiag(CodeBOM, cause.Certain, "signed over a body that starts with a BOM",
			"The signature is over the bytes as received, byte-order mark included, but request.text() drops a leading BOM before the SDK signs: the two can never agree. Clerk sends no BOM: a test sender, an editor or a proxy added it.",
			[]string{"Send the body without the BOM (save test payloads as UTF-8 without BOM).", "Resend the message from the Dashboard to test with what Clerk really sends."}, docsDebugging,
			fmt.Sprintf("body %d bytes, starts EF BB BF", len(body)))}
	}
	if v.Body.Replaced > 0 && v.signedBy(d, tsText, body, nil) {
		return []Diagnosis{newDiag(CodeInvalidUTF8, cause.Certain, "signed over bytes that are not UTF-8",
			fmt.Sprintf("The signature is over the raw bytes, but request.text() turns %d invalid UTF-8 sequence(s) into U+FFFD before the SDK signs, so it signs other bytes. Clerk sends UTF-8: the body was re-encoded (Latin-1, Windows-1252) on the way or made by hand.", v.Body.Replaced),
			[]string{"Keep the body's bytes as UTF-8 end to end; a proxy that transcodes bodies breaks every signature."}, docsDebugging)}
	}

	// The signature header's own shape.
	if v.signedBy(d, tsText, []byte(text), splitAnySpace) {
		return []Diagnosis{newDiag(CodeSigMalformed, cause.Certain, "the signature entries are not separated by single spaces",
			"One entry matches once the header is split on any whitespace, but the SDK splits svix-signature on single spaces only.",
			[]string{"Pass svix-signature through unchanged: entries joined by one space."}, docsDebugging)}
	}
	if v.signedBy(d, tsText, []byte(text), padded) {
		return []Diagnosis{newDiag(CodeSigMalformed, cause.Certain, "the signature lost its base64 padding",
			"A signature matches once its trailing = is restored: the SDK compares the text as sent, padding included.",
			[]string{"Pass svix-signature through unchanged (something trimmed the = signs)."}, docsDebugging)}
	}
	sig, _ := d.Get(HeaderSvixSignature)
	if sigs := signatures(js.Trim(sig)); len(sigs) == 0 {
		return []Diagnosis{newDiag(CodeSigMalformed, cause.Certain, "no v1 signature in svix-signature",
			"svix-signature holds no entry of the form v1,<base64>; the SDK compares only v1 entries.",
			[]string{"Pass svix-signature through unchanged."}, docsDebugging, "svix-signature "+RedactSignature(js.Trim(sig)))}
	}

	// What the body was before the handler or platform touched it.
	for _, bv := range bodyVariants(body, text) {
		if v.signedBy(d, tsText, bv.body, nil) {
			return []Diagnosis{newDiag(bv.code, cause.Certain, bv.title, bv.why+" The signature matches that original, so the secret is right.", bv.fix, docsVerify)}
		}
	}
	// Nothing matched: name what the body looks like, then the secret.
	var out []Diagnosis
	trimmed := bytes.TrimSpace(body)
	switch {
	case string(trimmed) == "[object Object]":
		out = append(out, newDiag(CodeObjectObject, cause.Certain, "the body is \"[object Object]\"",
			"The handler passed a parsed object where verifyWebhook needs the raw text: String(object) is \"[object Object]\".", rawBodyFix, docsVerify))
	case looksBase64JSON(trimmed):
		out = append(out, newDiag(CodeBase64, cause.Likely, "the body is base64-encoded",
			"The body is base64 text that decodes to JSON: the platform (AWS API Gateway or Lambda URLs with isBase64Encoded, some queues) wrapped it.",
			[]string{"Decode the base64 body (when isBase64Encoded) before verifying."}, docsVerify))
	case json.Valid(trimmed) && bytes.Contains(trimmed, []byte("\n  ")):
		out = append(out, newDiag(CodeReserialized, cause.Likely, "the body looks re-serialized (pretty-printed JSON)",
			"Svix sends compact JSON; this body is indented, so it was parsed and printed again before verifying.", rawBodyFix, docsVerify))
	case bytes.HasSuffix(body, []byte("\n")):
		out = append(out, newDiag(CodeTrailingNewline, cause.Possible, "the body ends with a newline",
			"Clerk's bodies end with }; a newline after it (echo, an editor, a log line) changes the signed bytes.",
			[]string{"Send the body without the added newline (printf instead of echo; curl --data-binary @file)."}, docsDebugging))
	}
	why := "No v1 signature matches the body with this secret, and no change clerkscope knows of (re-serialization, an added newline, base64, a BOM, re-encoding) explains it: the delivery was signed with another secret. Each endpoint has its own; the development and production instances have different endpoints; a rotated secret is replaced after its grace period."
	if n := len(signatures(js.Trim(sig))); n > 1 {
		why += fmt.Sprintf(" The header holds %d signatures (a rotation in progress) and none is for this secret.", n)
	}
	if d.BodyNote != "" && d.Source == SourceHAR {
		why += " (" + d.BodyNote + ".)"
	}
	conf := cause.Likely
	if len(out) > 0 {
		conf = cause.Possible
	}
	out = append(out, newDiag(CodeWrongSecret, conf, "signed with another secret (or the body changed)", why,
		[]string{"Copy the Signing Secret of the endpoint that sent this message (Dashboard → Webhooks → the endpoint), of the instance (development or production) the app runs against.",
			"If the body passes through a proxy or a framework, make sure the handler sees the raw bytes."}, docsVerify))
	return out
}

func looksBase64JSON(b []byte) bool {
	if len(b) < 8 || bytes.ContainsAny(b, "{}\" ") {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(string(b))
	if err != nil {
		return false
	}
	return json.Valid(bytes.TrimSpace(dec))
}

// bodyVariants are the bodies a sender may have signed before the body
// became what was received, most common first.
func bodyVariants(body []byte, text string) []bodyVariant {
	var out []bodyVariant
	tb := []byte(text)
	if t := bytes.TrimRight(tb, "\r\n"); len(t) < len(tb) {
		out = append(out, bodyVariant{code: CodeTrailingNewline, title: "a newline was added after the body",
			why:  fmt.Sprintf("The body ends with %q that Clerk did not send (echo, an editor, a log line or a proxy added it).", string(tb[len(t):])),
			body: t, fix: []string{"Send the body without the added newline (printf instead of echo; curl --data-binary @file).", "Verify the raw body, not a line read from a log."}})
	}
	trimmed := bytes.TrimSpace(tb)
	if json.Valid(trimmed) {
		var compact bytes.Buffer
		if json.Compact(&compact, trimmed) == nil && !bytes.Equal(compact.Bytes(), tb) {
			out = append(out, bodyVariant{code: CodeReserialized, title: "the body was parsed and re-serialized",
				why:  "The body received is the event printed again (spacing or indentation differ from what Clerk signed): something parsed the JSON and serialized it before verifyWebhook saw it. This is the most common cause.",
				body: compact.Bytes(), fix: rawBodyFix})
		}
		if sorted, ok := sortedJSON(trimmed); ok && !bytes.Equal(sorted, compact.Bytes()) {
			out = append(out, bodyVariant{code: CodeReserialized, title: "the body was parsed and re-serialized with its keys in another order",
				why:  "The body received has its keys in another order than the one Clerk signed: it was parsed into a map or object and serialized again.",
				body: sorted, fix: rawBodyFix})
		}
	}
	if dec, err := base64.StdEncoding.DecodeString(string(trimmed)); err == nil && len(dec) > 0 {
		out = append(out, bodyVariant{code: CodeBase64, title: "the body arrived base64-encoded",
			why:  "The body is the event in base64: the platform wrapped it (AWS API Gateway and Lambda function URLs set isBase64Encoded; some queues do the same).",
			body: dec, fix: []string{"Decode the body when the platform marks it base64 (event.isBase64Encoded) and verify the decoded bytes.", "With a framework adapter, make sure binary/base64 bodies are decoded before the handler."}})
	}
	return out
}

// sortedJSON is the JSON with every object's keys sorted and no spaces
// (Go's encoding of a map, Python's sort_keys): Clerk's own order for
// most payloads.
func sortedJSON(b []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	var buf bytes.Buffer
	writeSorted(&buf, v)
	return buf.Bytes(), true
}

func writeSorted(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSString(buf, k)
			buf.WriteByte(':')
			writeSorted(buf, x[k])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeSorted(buf, e)
		}
		buf.WriteByte(']')
	case string:
		writeJSString(buf, x)
	case json.Number:
		buf.WriteString(x.String())
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case nil:
		buf.WriteString("null")
	}
}

// writeJSString writes s as JSON.stringify does (no HTML escaping).
func writeJSString(buf *bytes.Buffer, s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	buf.Write(bytes.TrimRight(b.Bytes(), "\n"))
}

// markerDuplicate finds a database's duplicate-key error in a response.
var markerDuplicate = regexp.MustCompile(`(?i)duplicate key|unique constraint|already exists|P2002|E11000|23505|SQLITE_CONSTRAINT|ER_DUP_ENTRY|UniqueViolation|IntegrityError`)

// markerSkipped finds a handler saying it skipped a delivery as seen.
var markerSkipped = regexp.MustCompile(`(?i)already (processed|handled|seen|exists)|duplicate|skipp?ed`)

func responseCauses(d *Delivery, v *Verification) []Diagnosis {
	r := d.Response
	if r == nil {
		return nil
	}
	loc := r.Header("location")
	authStatus := r.Header("x-clerk-auth-status")
	authReason := r.Header("x-clerk-auth-reason")
	ev := []string{fmt.Sprintf("the handler answered %d", r.Status)}
	if authStatus != "" {
		ev = append(ev, "x-clerk-auth-status: "+authStatus)
	}
	if authReason != "" {
		ev = append(ev, "x-clerk-auth-reason: "+authReason)
	}
	if loc != "" {
		ev = append(ev, "Location: "+clip(loc, 100))
	}
	protected := authStatus == "signed-out" || authStatus == "handshake" || strings.Contains(authReason, "protect") ||
		(r.Status >= 300 && r.Status < 400 && (strings.Contains(loc, "sign-in") || strings.Contains(loc, "/v1/client/handshake")))
	switch {
	case protected && (r.Status == 401 || r.Status == 403 || r.Status == 404 || r.Status >= 300 && r.Status < 400):
		return []Diagnosis{newDiag(CodeRouteProtected, cause.Certain, "the middleware protects the webhook route",
			"clerkMiddleware judged the delivery as a signed-out visitor and answered it before the handler ran ("+strings.Join(ev, ", ")+"). Svix counts that as a failure and retries until it gives up.",
			publicRouteFix, docsSyncing, ev...)}
	case r.Status >= 300 && r.Status < 400:
		return []Diagnosis{newDiag(CodeRedirect, cause.Certain, "the endpoint redirects",
			"Svix does not follow redirects: a 3xx is a failed attempt. The endpoint URL in the Dashboard is not the final address (http→https, apex→www, a trailing slash, a locale prefix).",
			[]string{"Set the endpoint URL to the address the redirect points to.", "Exclude the webhook route from redirects (i18n, trailing-slash and auth middleware)."}, docsDebugging, ev...)}
	case (r.Status == 401 || r.Status == 403) && v.State == Verified:
		return []Diagnosis{newDiag(CodeRouteProtected, cause.Likely, "the route refused a delivery that verifies",
			"The delivery verifies, yet the app answered "+strconv.Itoa(r.Status)+": an auth layer in front of the handler (clerkMiddleware's auth.protect(), a framework guard, a platform password) rejects requests without a session.",
			publicRouteFix, docsSyncing, ev...)}
	case r.Status >= 400 && v.State == Verified:
		why := fmt.Sprintf("The delivery verifies, so the handler failed after verifyWebhook (%d).", r.Status)
		if body := strings.TrimSpace(r.Body); body != "" {
			why += " It said: " + clip(body, 160)
		}
		if markerDuplicate.MatchString(r.Body) {
			return []Diagnosis{newDiag(CodeDuplicateInsert, cause.Certain, "the handler failed on a duplicate insert", why+" That is a unique-key error: the handler inserts a row that already exists. Webhooks can be delivered more than once.",
				idempotencyFix, docsSyncing, ev...)}
		}
		return []Diagnosis{newDiag(CodeHandlerFailed, cause.Likely, "the handler failed after verifying", why,
			[]string{"Look at the app's logs for this svix-id; answer 2xx once the event is stored, and let errors return 5xx so that Svix retries."}, docsDebugging, ev...)}
	}
	return nil
}

var idempotencyFix = []string{
	"Make the handler idempotent: record each svix-id you processed and answer 2xx when it comes again (webhooks can be delivered more than once).",
	"Write with an upsert (INSERT … ON CONFLICT DO NOTHING/UPDATE, prisma upsert) keyed on the Clerk id, so a repeat is harmless.",
}
