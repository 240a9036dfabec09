package bapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkscope/clerkscope/bapi/bapitest"
)

const testKey = "sk_test_fakeSecretKeyForTests00000000000001"

// fakeAPI is the shared records (../testdata/bapi) and ours (testdata/)
// served by bapitest, with a fault hook.
type fakeAPI struct{ s *bapitest.Server }

func newFake(t testing.TB) (*fakeAPI, *httptest.Server) {
	s := bapitest.New(t, testKey, "../testdata/bapi", "testdata")
	return &fakeAPI{s}, s.Server
}

func (f *fakeAPI) setFault(fn func(w http.ResponseWriter, r *http.Request) bool) { f.s.SetFault(fn) }

func (f *fakeAPI) count(path string) int { return f.s.Count(path) }

func clerkError(w http.ResponseWriter, status int, code, msg string) {
	bapitest.Error(w, status, code, msg)
}
