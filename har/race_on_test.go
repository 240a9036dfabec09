//go:build race

package har

// raceBuild makes the long reader tests short under the race detector,
// which slows byte loops tenfold.
const raceBuild = true
