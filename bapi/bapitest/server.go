// Package bapitest serves Backend API records over httptest, the way
// version 2026-05-12 answers them, for the tests of the packages that look
// records up and show them (bapi, the dashboard, the commands). It reads
// the shared records (testdata/bapi, copied from ../shared/fixtures/bapi)
// and any other folder of records of the same shape.
package bapitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake Backend API over records. It answers GETs only, checks
// the Bearer key, and calls Fault first when it is set.
type Server struct {
	*httptest.Server
	// Key is the secret key it accepts.
	Key string

	mu       sync.Mutex
	records  map[string][]json.RawMessage
	files    map[string][]byte
	fault    func(w http.ResponseWriter, r *http.Request) bool
	calls    map[string]int
	lastAuth string
}

// kinds are the record files a folder may hold (JSON arrays).
var kinds = []string{"users", "sessions", "organizations", "organization_memberships", "clients", "invitations"}

// New serves the records of every folder (users.json, sessions.json,
// organizations.json, organization_memberships.json, clients.json,
// invitations.json, and jwks.json and instance.json served as they are).
func New(t testing.TB, key string, dirs ...string) *Server {
	t.Helper()
	s := &Server{Key: key, records: map[string][]json.RawMessage{}, files: map[string][]byte{}, calls: map[string]int{}}
	for _, dir := range dirs {
		for _, kind := range kinds {
			data, err := os.ReadFile(filepath.Join(dir, kind+".json"))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			var list []json.RawMessage
			if err := json.Unmarshal(data, &list); err != nil {
				t.Fatalf("%s/%s.json: %v", dir, kind, err)
			}
			s.records[kind] = append(s.records[kind], list...)
		}
		for _, name := range []string{"jwks", "instance"} {
			if data, err := os.ReadFile(filepath.Join(dir, name+".json")); err == nil {
				s.files[name] = data
			}
		}
	}
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// Rename replaces an id (or any string) in every record: a capture's user
// and session become a fixture's.
func (s *Server) Rename(old, new string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, _ := json.Marshal(old)
	n, _ := json.Marshal(new)
	for kind, list := range s.records {
		for i, r := range list {
			s.records[kind][i] = json.RawMessage(strings.ReplaceAll(string(r), string(o), string(n)))
		}
	}
}

// Replace rewrites one field of the record with the given id (tests that
// need a record in another state).
func (s *Server) Replace(kind, id, field string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.records[kind] {
		var m map[string]any
		_ = json.Unmarshal(r, &m)
		if m["id"] == id {
			m[field] = value
			s.records[kind][i], _ = json.Marshal(m)
		}
	}
}

// SetFile replaces a file served as it is (jwks, instance).
func (s *Server) SetFile(name string, data []byte) {
	s.mu.Lock()
	s.files[name] = data
	s.mu.Unlock()
}

// Rebase shifts every *_at timestamp (unix milliseconds) by d, so that
// records made for one clock fit a capture taken at another.
func (s *Server) Rebase(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for kind, list := range s.records {
		for i, r := range list {
			var v any
			_ = json.Unmarshal(r, &v)
			s.records[kind][i], _ = json.Marshal(rebase(v, d.Milliseconds()))
		}
	}
}

func rebase(v any, ms int64) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if n, ok := e.(float64); ok && strings.HasSuffix(k, "_at") {
				x[k] = float64(int64(n) + ms)
			} else {
				x[k] = rebase(e, ms)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = rebase(e, ms)
		}
	}
	return v
}

// SetFault answers the requests fn takes (it returns true) before the records.
func (s *Server) SetFault(fn func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.fault = fn
	s.mu.Unlock()
}

// Count is how many requests reached path.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Calls is how many requests reached each path.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Error writes Clerk's error envelope.
func Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors":         []map[string]any{{"code": code, "message": msg, "long_message": msg + " (long)"}},
		"clerk_trace_id": "trace_123",
	})
}

type fields struct {
	ID             string `json:"id"`
	Slug           string `json:"slug"`
	UserID         string `json:"user_id"`
	Username       string `json:"username"`
	ExternalID     string `json:"external_id"`
	FirstName      string `json:"first_name"`
	LastName       string `json:"last_name"`
	OrganizationID string `json:"organization_id"`
	Status         string `json:"status"`
	Emails         []struct {
		EmailAddress string `json:"email_address"`
	} `json:"email_addresses"`
	Phones []struct {
		PhoneNumber string `json:"phone_number"`
	} `json:"phone_numbers"`
	Organization   struct{ ID string }
	PublicUserData struct {
		UserID string `json:"user_id"`
	} `json:"public_user_data"`
}

func fieldsOf(r json.RawMessage) fields {
	var x fields
	_ = json.Unmarshal(r, &x)
	return x
}

func (s *Server) find(kind, id string) json.RawMessage {
	for _, r := range s.records[kind] {
		x := fieldsOf(r)
		if x.ID == id || x.Slug != "" && x.Slug == id {
			return r
		}
	}
	return nil
}

// matchesUser is GET /v1/users' filters: exact identifiers, or `query`
// as a case-insensitive substring of identifiers, names and ids.
func matchesUser(u fields, q map[string][]string) bool {
	var emails, phones []string
	for _, e := range u.Emails {
		emails = append(emails, e.EmailAddress)
	}
	for _, p := range u.Phones {
		phones = append(phones, p.PhoneNumber)
	}
	check := func(name string, have []string) bool {
		want, ok := q[name]
		if !ok {
			return true
		}
		for _, w := range want {
			if slices.Contains(have, w) {
				return true
			}
		}
		return false
	}
	if !check("email_address", emails) || !check("phone_number", phones) || !check("username", []string{u.Username}) ||
		!check("external_id", []string{u.ExternalID}) || !check("user_id", []string{u.ID}) {
		return false
	}
	if text := strings.ToLower(strings.Join(q["query"], "")); text != "" {
		all := strings.ToLower(strings.Join(append(append([]string{u.ID, u.Username, u.ExternalID, u.FirstName, u.LastName}, emails...), phones...), " "))
		return strings.Contains(all, text)
	}
	return true
}

func window[T any](list []T, q map[string][]string) []T {
	limit, offset := 10, 0
	if v, ok := q["limit"]; ok {
		limit, _ = strconv.Atoi(v[0])
	}
	if v, ok := q["offset"]; ok {
		offset, _ = strconv.Atoi(v[0])
	}
	if offset >= len(list) {
		return []T{}
	}
	return list[offset:min(offset+limit, len(list))]
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.lastAuth = r.Header.Get("Authorization")
	fault := s.fault
	s.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Key {
		Error(w, 401, "authentication_invalid", "The provided secret key is invalid")
		return
	}
	if r.Method != http.MethodGet {
		Error(w, 405, "method_not_allowed", "the fake Backend API answers GETs only")
		return
	}
	if r.Header.Get("Clerk-API-Version") == "" || !strings.HasPrefix(r.Header.Get("User-Agent"), "github.com/clerkscope/clerkscope/") {
		Error(w, 400, "bad_request", "missing headers")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
	write := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	filter := func(kind string, keep func(fields) bool) []json.RawMessage {
		out := []json.RawMessage{}
		for _, m := range s.records[kind] {
			if keep(fieldsOf(m)) {
				out = append(out, m)
			}
		}
		return out
	}
	switch {
	case len(parts) == 1 && (parts[0] == "jwks" || parts[0] == "instance"):
		if data, ok := s.files[parts[0]]; ok {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(data)
			return
		}
		Error(w, 404, "resource_not_found", "not found")
	case len(parts) == 1 && parts[0] == "users":
		write(window(filter("users", func(u fields) bool { return matchesUser(u, q) }), q))
	case len(parts) == 1 && parts[0] == "sessions":
		write(window(filter("sessions", func(x fields) bool { return q.Get("user_id") == "" || x.UserID == q.Get("user_id") }), q))
	case len(parts) == 2 && parts[0] == "organizations":
		rec := s.find("organizations", parts[1])
		if rec == nil {
			Error(w, 404, "resource_not_found", "not found")
			return
		}
		var o map[string]any
		_ = json.Unmarshal(rec, &o)
		if q.Get("include_members_count") == "true" {
			o["members_count"] = len(filter("organization_memberships", func(m fields) bool { return m.Organization.ID == o["id"] }))
		}
		write(o)
	case len(parts) == 2 && (parts[0] == "users" || parts[0] == "sessions" || parts[0] == "clients"):
		if rec := s.find(parts[0], parts[1]); rec != nil {
			write(rec)
			return
		}
		Error(w, 404, "resource_not_found", "not found")
	case len(parts) == 3 && parts[0] == "users" && parts[2] == "organization_memberships":
		out := filter("organization_memberships", func(m fields) bool { return m.PublicUserData.UserID == parts[1] })
		write(map[string]any{"data": window(out, q), "total_count": len(out)})
	case len(parts) == 3 && parts[0] == "organizations" && parts[2] == "memberships":
		org := fieldsOf(s.find("organizations", parts[1]))
		uid := q.Get("user_id")
		out := filter("organization_memberships", func(m fields) bool {
			return m.Organization.ID == org.ID && (uid == "" || m.PublicUserData.UserID == uid)
		})
		write(map[string]any{"data": window(out, q), "total_count": len(out)})
	case len(parts) == 3 && parts[0] == "organizations" && parts[2] == "invitations":
		org := fieldsOf(s.find("organizations", parts[1]))
		if org.ID == "" {
			Error(w, 404, "resource_not_found", "not found")
			return
		}
		out := filter("invitations", func(i fields) bool {
			return i.OrganizationID == org.ID && (q.Get("status") == "" || i.Status == q.Get("status"))
		})
		write(map[string]any{"data": window(out, q), "total_count": len(out)})
	default:
		Error(w, 404, "resource_not_found", "no such path "+r.URL.Path)
	}
}
