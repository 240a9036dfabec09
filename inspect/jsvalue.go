package inspect

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// undefined stands for a JavaScript value that is absent, as opposed to JSON
// null. Decoded JSON objects are map[string]any, so a missing key reads as
// undefined through field().
type undefinedType struct{}

var undefined = undefinedType{}

// field returns obj[key] with JavaScript semantics: undefined when obj is not
// an object or has no such key.
func field(obj any, key string) any {
	m, ok := obj.(map[string]any)
	if !ok {
		return undefined
	}
	v, ok := m[key]
	if !ok {
		return undefined
	}
	return v
}

func isUndefined(v any) bool { _, ok := v.(undefinedType); return ok }

// truthy reports JavaScript truthiness.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil, undefinedType:
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

// asString returns v when it is a JSON string.
func asString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// jsToNumber is JavaScript's Number(v) for decoded JSON values.
func jsToNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case undefinedType:
		return math.NaN()
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		return jsNumber(x)
	case []any:
		switch len(x) {
		case 0:
			return 0
		case 1:
			return jsToNumber(jsToStringValue(x[0]))
		}
		return math.NaN()
	default:
		return math.NaN()
	}
}

func jsToStringValue(v any) string {
	switch x := v.(type) {
	case nil, undefinedType:
		return ""
	case string:
		return x
	case float64:
		return jsNumberString(x)
	case bool:
		return strconv.FormatBool(x)
	default:
		return ""
	}
}

// jsLess is JavaScript's a < b where b is a number.
func jsLess(a any, b float64) bool {
	n := jsToNumber(a)
	if math.IsNaN(n) || math.IsNaN(b) {
		return false
	}
	return n < b
}

// jsNumber is JavaScript's Number(string): whitespace-trimmed decimal, hex,
// octal or binary literal, Infinity; "" is 0; anything else NaN.
func jsNumber(s string) float64 {
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

// jsParseInt is JavaScript's Number.parseInt(s) without a radix.
func jsParseInt(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f\u00a0\ufeff")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base = 16
		s = s[2:]
	}
	end := 0
	for end < len(s) {
		c := s[end]
		d := -1
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		}
		if d < 0 || d >= base {
			break
		}
		end++
	}
	if end == 0 {
		return math.NaN()
	}
	var n float64
	for _, c := range s[:end] {
		d := float64(0)
		switch {
		case c >= '0' && c <= '9':
			d = float64(c - '0')
		case c >= 'a' && c <= 'z':
			d = float64(c-'a') + 10
		default:
			d = float64(c-'A') + 10
		}
		n = n*float64(base) + d
	}
	if neg {
		n = -n
	}
	return n
}

// jsNumberString formats a float64 the way JavaScript's String(n) does for
// the values that occur in tokens (integers and short decimals).
func jsNumberString(f float64) string {
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

// jsonStringify is JSON.stringify(v) for decoded JSON values, with
// JavaScript's spelling of undefined (the literal text "undefined", which is
// what a template string shows).
func jsonStringify(v any) string {
	switch x := v.(type) {
	case undefinedType:
		return "undefined"
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "null"
		}
		return jsNumberString(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if isUndefined(e) {
				parts[i] = "null"
				continue
			}
			parts[i] = jsonStringify(e)
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

// jsArrayString is String(array): elements joined with commas.
func jsArrayString(a []string) string { return strings.Join(a, ",") }

// utcString is JavaScript's Date.prototype.toUTCString.
func utcString(t time.Time) string {
	return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
}

// secondsToTime converts a JWT NumericDate to a time as
// new Date(0).setUTCSeconds(n) does: fractions of a second are dropped.
func secondsToTime(sec float64) time.Time {
	return time.UnixMilli(int64(math.Trunc(sec)) * 1000).UTC()
}

// millis returns t in unix milliseconds.
func millis(t time.Time) float64 { return float64(t.UnixMilli()) }

// jsTemplate is String(v) as a template literal shows a value: undefined,
// null, arrays joined with commas, objects as [object Object].
func jsTemplate(v any) string {
	switch x := v.(type) {
	case undefinedType:
		return "undefined"
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e == nil || isUndefined(e) {
				continue
			}
			parts[i] = jsTemplate(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return jsToStringValue(v)
}
