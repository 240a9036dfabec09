package bapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

const testKey = "sk_test_fakeSecretKeyForTests00000000000001"

// fakeAPI serves the shared Backend API records over httptest, with a
// per-path fault hook.
type fakeAPI struct {
	t        testing.TB
	mu       sync.Mutex
	records  map[string][]json.RawMessage
	fault    func(w http.ResponseWriter, r *http.Request) bool
	calls    map[string]int
	lastAuth string
}

func newFake(t testing.TB) (*fakeAPI, *httptest.Server) {
	f := &fakeAPI{t: t, records: map[string][]json.RawMessage{}, calls: map[string]int{}}
	for _, name := range []string{"users", "sessions", "organizations", "organization_memberships", "clients"} {
		data, err := os.ReadFile("../testdata/bapi/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			t.Fatal(err)
		}
		f.records[name] = list
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeAPI) find(kind, id string) json.RawMessage {
	for _, r := range f.records[kind] {
		var x struct {
			ID   string `json:"id"`
			Slug string `json:"slug"`
		}
		_ = json.Unmarshal(r, &x)
		if x.ID == id || x.Slug != "" && x.Slug == id {
			return r
		}
	}
	return nil
}

func clerkError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors":         []map[string]any{{"code": code, "message": msg, "long_message": msg + " (long)"}},
		"clerk_trace_id": "trace_123",
	})
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls[r.URL.Path]++
	f.lastAuth = r.Header.Get("Authorization")
	fault := f.fault
	f.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		clerkError(w, 401, "authentication_invalid", "The provided secret key is invalid")
		return
	}
	if r.Header.Get("Clerk-API-Version") == "" || !strings.HasPrefix(r.Header.Get("User-Agent"), "clerkscope/") {
		clerkError(w, 400, "bad_request", "missing headers")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
	write := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case parts[0] == "jwks":
		data, _ := os.ReadFile("../testdata/bapi/jwks.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	case parts[0] == "instance":
		data, _ := os.ReadFile("../testdata/bapi/instance.json")
		_, _ = w.Write(data)
	case len(parts) == 2 && (parts[0] == "users" || parts[0] == "sessions" || parts[0] == "organizations" || parts[0] == "clients"):
		if rec := f.find(parts[0], parts[1]); rec != nil {
			write(rec)
			return
		}
		clerkError(w, 404, "resource_not_found", "not found")
	case len(parts) == 3 && parts[0] == "users" && parts[2] == "organization_memberships":
		var out []json.RawMessage
		for _, m := range f.records["organization_memberships"] {
			if strings.Contains(string(m), `"user_id":"`+parts[1]+`"`) || strings.Contains(string(m), `"user_id": "`+parts[1]+`"`) {
				out = append(out, m)
			}
		}
		write(map[string]any{"data": out, "total_count": len(out)})
	case len(parts) == 3 && parts[0] == "organizations" && parts[2] == "memberships":
		org := f.find("organizations", parts[1])
		var o struct{ ID string }
		_ = json.Unmarshal(org, &o)
		uid := r.URL.Query().Get("user_id")
		var out []json.RawMessage
		for _, m := range f.records["organization_memberships"] {
			var x struct {
				Organization   struct{ ID string }
				PublicUserData struct {
					UserID string `json:"user_id"`
				} `json:"public_user_data"`
			}
			_ = json.Unmarshal(m, &x)
			if x.Organization.ID == o.ID && (uid == "" || x.PublicUserData.UserID == uid) {
				out = append(out, m)
			}
		}
		write(map[string]any{"data": out, "total_count": len(out)})
	default:
		clerkError(w, 404, "resource_not_found", "no such path "+r.URL.Path)
	}
}

func (f *fakeAPI) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[path]
}
