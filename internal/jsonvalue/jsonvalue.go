// Package jsonvalue compares and copies decoded JSON values exactly, down
// to a nil slice or map apart from an empty one and the sign of a zero:
// what the JSON encoder's reuse of encoded bytes (har) and the token
// decoder's tests (inspect) need to tell two values apart.
package jsonvalue

import (
	"math"
	"slices"
)

// Equal reports whether two values of the kinds a JSON encoder of
// decoded values writes (nil, string, bool, float64, int, []string, []any,
// map[string]any) are equal, as encoded: numbers by their bits (0 and -0 differ),
// nil slices and maps apart from empty ones. Any other kind is unequal.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case int:
		y, ok := b.(int)
		return ok && x == y
	case []string:
		y, ok := b.([]string)
		return ok && (x == nil) == (y == nil) && slices.Equal(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || (x == nil) != (y == nil) || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || (x == nil) != (y == nil) || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !Equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// Copy is a deep copy of a value Equal compares; false for any
// other kind.
func Copy(v any) (any, bool) {
	switch x := v.(type) {
	case nil, string, bool, float64, int:
		return v, true
	case []string:
		return slices.Clone(x), true
	case []any:
		if x == nil {
			return x, true
		}
		c := make([]any, len(x))
		for i, e := range x {
			var ok bool
			if c[i], ok = Copy(e); !ok {
				return nil, false
			}
		}
		return c, true
	case map[string]any:
		if x == nil {
			return x, true
		}
		c := make(map[string]any, len(x))
		for k, e := range x {
			ce, ok := Copy(e)
			if !ok {
				return nil, false
			}
			c[k] = ce
		}
		return c, true
	}
	return nil, false
}
