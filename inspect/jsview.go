package inspect

import "github.com/clerkscope/clerkscope/inspect/internal/js"

// The renderers outside inspect show a verdict's values (claims, auth()
// fields) as JavaScript would print them; these read them through the
// same semantics the engine judges with.

// JSString is JavaScript's String() of a claim or auth() value ("" for
// null, undefined or an object).
func JSString(v any) string { return js.ToString(v) }

// JSTruthy is JavaScript's truthiness of a value.
func JSTruthy(v any) bool { return js.Truthy(v) }

// JSStringify is JSON.stringify of a value, as Node prints it.
func JSStringify(v any) string { return js.Stringify(v) }
