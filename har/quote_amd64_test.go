//go:build !purego

package har

import "testing"

// withoutAVX2 runs test as the CPU has it, then with the SSE2 code
// (where it had AVX2).
func withoutAVX2(t *testing.T, test func(*testing.T)) {
	t.Run("cpu", test)
	if useAVX2 {
		useAVX2 = false
		defer func() { useAVX2 = true }()
		t.Run("sse2", test)
	}
}
