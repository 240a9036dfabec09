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
// The SDK runs on JavaScript, and several of its decisions depend on
// JavaScript's loose semantics (parseInt, Number, truthiness, URLSearchParams
// serialization, Date.toUTCString, path-to-regexp). Those are reproduced in
// package inspect/internal/js, tested against what Node prints, so that
// clerkscope's answers match the SDK's to the letter.
package inspect
