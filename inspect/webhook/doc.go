// Package webhook judges a Clerk webhook delivery the way Clerk's own
// verifyWebhook does (@clerk/backend 3.25.0, over standardwebhooks 1.1.1),
// and explains why a handler failed on it.
//
// A delivery comes from what a ticket holds (Parse): a raw HTTP request or
// header block and body, the POSTs of a HAR, the Clerk CLI's
// `webhooks listen --json` lines, or a JSON {headers, body}. Its raw bytes
// are kept; Verify then reads them as the SDK does — request.text()
// decodes UTF-8 (a BOM dropped, invalid bytes turned into U+FFFD) before
// the HMAC, the svix-* headers are trimmed, the timestamp is read by
// JavaScript's parseInt, any v1 entry may match, and the 5-minute
// tolerance is measured at the server's clock. The outcome is one of
// three, as for tokens: verified, invalid (the SDK's own error text), or
// unverified (no secret). Each check is recorded as a Step.
//
// Diagnose names the cause behind a failure by testing what the sender
// must have signed (the body before it was re-serialized, without the
// newline an editor added, …) and by reading the handler's answer;
// Group follows the attempts of one message across a capture against
// Svix's retry schedule. Nothing here prints a secret: MaskSecret and
// RedactSignature are the only ways they are shown.
package webhook
