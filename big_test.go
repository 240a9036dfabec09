package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestBigCapturesUnchanged (issue 11): explain --json, explain and report
// write byte for byte what they wrote before the performance work on the
// two big captures of the README's Performance section (SHA-256 taken with
// clerkscope at 98717aa). CLERKSCOPE_BIGHAR_DIR is the folder the README's
// bighar commands fill (.ci/run makes it); without it the test has
// nothing to read and is skipped.
func TestBigCapturesUnchanged(t *testing.T) {
	dir := os.Getenv("CLERKSCOPE_BIGHAR_DIR")
	if dir == "" {
		t.Skip("CLERKSCOPE_BIGHAR_DIR names no folder of big captures (see the README's Performance section)")
	}
	key, err := filepath.Abs("testdata/keys/instance-public.pem")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY", "CLERK_JWT_KEY", "CLERK_API_URL"} {
		t.Setenv(k, "")
	}
	t.Chdir(dir) // the report names its capture as given: big.har
	for _, tc := range []struct {
		file, want string
		args       []string
	}{
		{"big.har", "d505a59a5dde49ba29dddb3124afa4fa0890cb8592e49880e7e7bb2c88c3f876", []string{"explain", "--json"}},
		{"big.har", "7627526b70e521ee27aa7c35c63f80fc4cf5d5c2a045047af350e4a6832c4faa", []string{"explain"}},
		{"big.har", "0c13f13e1245b86dfb58f8331aea0e306ab7997918724a17d5cee705c7e00131", []string{"report"}},
		{"bigc.har", "e1366fa0b75fe1c1d7f7e76f04ebb7e9c0509bddfa9795c47623cd974355765c", []string{"explain", "--json"}},
		{"bigc.har", "4fcac15733272b101f675db1eba06b6d31d80872b8ed6453f341330d5fe4b832", []string{"explain"}},
		{"bigc.har", "86852f8fffd34e5434877d81b5bfa9c75e1d31934ad13027e6799ba7c956fdac", []string{"report"}},
	} {
		h := sha256.New()
		args := append(tc.args, "--jwt-key", key, tc.file)
		if code := run(context.Background(), args, nil, h, io.Discard); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != tc.want {
			t.Errorf("%v: output hashes to %s, want %s (as before the performance work)", args, got, tc.want)
		}
	}
}
