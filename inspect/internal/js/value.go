// Package js reproduces the JavaScript semantics that @clerk/backend's
// decisions depend on: truthiness, Number and parseInt (with the digits it
// read, for a webhook timestamp), String.prototype.trim, the UTF-8 decoding
// of Request.text(), String of a number,
// JSON.stringify and template literals of decoded JSON values,
// Date.prototype.toUTCString, the WHATWG URL with its URLSearchParams, and
// path-to-regexp 6's match(). Each function names the JavaScript it is; the
// tests compare them with what Node prints (testdata/node.json, made by
// testdata/gen.mjs.txt).
package js

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// UndefinedType is the type of Undefined.
type UndefinedType struct{}

// Undefined stands for a JavaScript value that is absent, as opposed to JSON
// null. Decoded JSON objects are map[string]any, so a missing key reads as
// undefined through Field.
var Undefined = UndefinedType{}

// Field returns obj[key] with JavaScript semantics: undefined when obj is not
// an object or has no such key.
func Field(obj any, key string) any {
	m, ok := obj.(map[string]any)
	if !ok {
		return Undefined
	}
	v, ok := m[key]
	if !ok {
		return Undefined
	}
	return v
}

// IsUndefined reports whether v is Undefined.
func IsUndefined(v any) bool { _, ok := v.(UndefinedType); return ok }

// Truthy reports JavaScript truthiness.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil, UndefinedType:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	default:
		return true
	}
}

// AsString returns v when it is a JSON string.
func AsString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// ToNumber is JavaScript's Number(v) for decoded JSON values.
func ToNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case UndefinedType:
		return math.NaN()
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		return Number(x)
	case []any:
		switch len(x) {
		case 0:
			return 0
		case 1:
			return ToNumber(ToString(x[0]))
		}
		return math.NaN()
	default:
		return math.NaN()
	}
}

// ToString is String(v) for a string, number or boolean, and "" for
// everything else (null, undefined, arrays, objects), where clerkscope
// wants no text rather than JavaScript's "null".
func ToString(v any) string {
	switch x := v.(type) {
	case nil, UndefinedType:
		return ""
	case string:
		return x
	case float64:
		return NumberString(x)
	case bool:
		return strconv.FormatBool(x)
	default:
		return ""
	}
}

// Less is JavaScript's a < b where b is a number.
func Less(a any, b float64) bool {
	n := ToNumber(a)
	if math.IsNaN(n) || math.IsNaN(b) {
		return false
	}
	return n < b
}

// Number is JavaScript's Number(string): whitespace-trimmed decimal, hex,
// octal or binary literal, Infinity; "" is 0; anything else NaN.
func Number(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			n, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}
	}
	switch s {
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// ParseInt is JavaScript's Number.parseInt(s) without a radix.
func ParseInt(s string) float64 { return ReadInt(s, 0).Float() }

// NumberString formats a float64 the way JavaScript's String(n) does for
// the values that occur in tokens (integers and short decimals).
func NumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	abs := math.Abs(f)
	if abs >= 1e21 || abs < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes 1e+21 and 1e-07; JavaScript writes 1e+21 and 1e-7.
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		digits := strings.TrimLeft(exp[1:], "0")
		return mant + "e" + string(sign) + digits
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Stringify is JSON.stringify(v) for decoded JSON values, with
// JavaScript's spelling of undefined (the literal text "undefined", which is
// what a template string shows).
func Stringify(v any) string {
	switch x := v.(type) {
	case UndefinedType:
		return "undefined"
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "null"
		}
		return NumberString(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if IsUndefined(e) {
				parts[i] = "null"
				continue
			}
			parts[i] = Stringify(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		// JSON.stringify keeps insertion order; decoded maps lost it, so
		// keys are sorted, which matches for the short objects in tokens.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return "{}"
		}
		return strings.TrimSuffix(buf.String(), "\n")
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return "null"
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
}

// ArrayString is String(array): elements joined with commas.
func ArrayString(a []string) string { return strings.Join(a, ",") }

// UTCString is JavaScript's Date.prototype.toUTCString. The SDK's
// messages name the request's time and the token's: the last few texts
// are kept (the text depends on t's second alone).
func UTCString(t time.Time) string {
	sec := t.Unix()
	c := &utcTexts
	c.mu.Lock()
	for i := range c.text {
		if c.sec[i] == sec && c.text[i] != "" {
			s := c.text[i]
			c.mu.Unlock()
			return s
		}
	}
	c.mu.Unlock()
	s := t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	c.mu.Lock()
	c.sec[c.next], c.text[c.next] = sec, s
	c.next = (c.next + 1) % len(c.text)
	c.mu.Unlock()
	return s
}

// utcTexts are the texts UTCString made last, safe for concurrent use.
var utcTexts struct {
	mu   sync.Mutex
	sec  [4]int64
	text [4]string
	next int
}

// SecondsToTime converts a JWT NumericDate to a time as
// new Date(0).setUTCSeconds(n) does: fractions of a second are dropped.
func SecondsToTime(sec float64) time.Time {
	return time.UnixMilli(int64(math.Trunc(sec)) * 1000).UTC()
}

// Millis returns t in unix milliseconds.
func Millis(t time.Time) float64 { return float64(t.UnixMilli()) }

// Template is String(v) as a template literal shows a value: undefined,
// null, arrays joined with commas, objects as [object Object].
func Template(v any) string {
	switch x := v.(type) {
	case UndefinedType:
		return "undefined"
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e == nil || IsUndefined(e) {
				continue
			}
			parts[i] = Template(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return ToString(v)
}
