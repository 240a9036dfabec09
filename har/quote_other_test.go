//go:build !amd64 || purego

package har

import "testing"

// withoutAVX2 runs test (there is no assembly here).
func withoutAVX2(t *testing.T, test func(*testing.T)) { test(t) }
