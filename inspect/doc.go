// Package inspect turns what a support engineer holds (a Cookie header, a cURL
// command, a raw JWT, Set-Cookie lines, a HAR entry) into a request, decodes
// every Clerk cookie and token in it, and judges the request the way Clerk's
// server SDK (@clerk/backend 3.25.0, authenticateRequest) would.
//
// The verdict engine lives in engine.go and reads like the decision table in
// the auth-state spec: each check is a named step, in the SDK's order, and
// records what it looked at and what it found. Everything the user interface
// and the reports show is rendered from that evidence; nothing re-derives a
// verdict elsewhere.
//
// The engine is cut along the SDK's own files, so that a change in the SDK
// has one place to go (paths under @clerk/backend's src/ unless named):
//
//	engine.go      tokens/request.ts: authenticateRequest, the routing, the
//	               header path, the cookie path C1–C16, handleSessionTokenError,
//	               handleMaybeHandshakeStatus, the organization sync
//	refresh.go     tokens/request.ts: refreshToken, attemptRefresh
//	context.go     tokens/authenticateContext.ts (the per-request state and
//	               its init functions, the suffixed-cookie choice, the
//	               referrer checks), tokens/clerkRequest.ts (the public URL)
//	verdict.go     tokens/authStatus.ts: the request state, signedIn,
//	               signedOut, withDebugHeaders
//	handshake.go   tokens/handshake.ts: HandshakeService (eligibility, the
//	               redirect, resolveHandshake), verifyHandshakeToken
//	machine.go     tokens/machine.ts, tokens/verify.ts (verifyMachineAuthToken),
//	               jwt/verifyMachineJwt.ts, handleMachineError of request.ts
//	auth.go        tokens/authObjects.ts: the auth objects of toAuth()
//	verify.go      tokens/verify.ts (verifyToken), jwt/verifyJwt.ts,
//	               jwt/assertions.ts, jwt/algorithms.ts
//	pkcs1.go       WebCrypto's RSASSA-PKCS1-v1_5, for keys Go refuses
//	jwks.go        tokens/keys.ts: loadClerkJwkFromPem, loadClerkJWKFromRemote
//	jwt.go         jwt/verifyJwt.ts (decodeJwt), tokens/jwtCategories.ts
//	orgmatch.go    tokens/organizationMatcher.ts
//	names.go       constants.ts (cookie, query and header names, the API
//	               version), tokenTypes.ts, machine.ts's prefixes; the step ids
//	reasons.go     tokens/authStatus.ts (AuthErrorReason), errors.ts
//	               (TokenVerificationErrorReason), RefreshTokenErrorReason, and
//	               every text the SDK throws, logs or attaches to an error
//	keys.go        @clerk/shared keys.ts and url.ts: publishable keys, the
//	               cookie suffix, Account Portal hosts
//	cookies.go     the cookie package's parse (ClerkRequest's cookies)
//	request.go     the Fetch API's Headers.get on the incoming request
//	options.go     tokens/types.ts: the options, read from JSON as a
//	               JavaScript caller would pass them
//	backend.go     the Backend API calls the SDK makes (api/endpoints), as a
//	               consumer-side interface with canned and observed answers
//
// The other files are clerkscope's own: reading inputs (input.go, curl.go,
// infer.go), judging them at the right clock with the right keys (setup.go,
// configkeys.go, fapijwks.go), and saying what a verdict means (explain.go,
// explain_reasons.go, explain_clock.go, redact.go, sanitize.go, and
// jsview.go for renderers that show its values as JavaScript prints them).
// The output formats (text, JSON, Markdown) are package har's.
//
// The SDK runs on JavaScript, and several of its decisions depend on
// JavaScript's loose semantics (parseInt, Number, truthiness, URLSearchParams
// serialization, Date.toUTCString, path-to-regexp). Those are reproduced in
// package inspect/internal/js, tested against what Node prints, so that
// clerkscope's answers match the SDK's to the letter.
package inspect
