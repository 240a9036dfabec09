//go:build !race

package har

const raceBuild = false
