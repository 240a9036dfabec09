package jsonvalue

import (
	"math"
	"testing"
)

// TestEqual: the comparison the reuse rests on tells apart what
// encodes differently.
func TestEqual(t *testing.T) {
	differ := [][2]any{
		{0.0, math.Copysign(0, -1)}, {[]any(nil), []any{}}, {map[string]any(nil), map[string]any{}},
		{[]string(nil), []string{}}, {"1", 1.0}, {1, 1.0}, {nil, []any(nil)}, {map[string]any{"a": nil}, map[string]any{"b": nil}},
		{[]any{1.0, "x"}, []any{1.0, "y"}}, {struct{}{}, struct{}{}},
	}
	for _, p := range differ {
		if Equal(p[0], p[1]) {
			t.Errorf("Equal(%#v, %#v) = true", p[0], p[1])
		}
	}
	same := []any{nil, "x", true, 2.5, 3, []string{"a"}, []any{map[string]any{"k": []any{1.0, nil}}}, map[string]any{}}
	for _, v := range same {
		c, ok := Copy(v)
		if !ok || !Equal(v, c) {
			t.Errorf("Copy(%#v) = %#v, %v", v, c, ok)
		}
	}
}
