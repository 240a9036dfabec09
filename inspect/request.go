package inspect

import (
	"strings"
)

// Header is one HTTP header line.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Request is an HTTP request as the application server received it.
type Request struct {
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []Header `json:"headers"`
}

// Get returns a header the way the Fetch API's Headers.get does: values of
// repeated headers joined with ", " (Cookie headers with "; ", as Node's
// HTTP server joins them), leading and trailing whitespace removed.
func (r *Request) Get(name string) (string, bool) {
	// Most headers come once: no list to join.
	first, n := -1, 0
	for i, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			if n++; first < 0 {
				first = i
			}
		}
	}
	switch n {
	case 0:
		return "", false
	case 1:
		return strings.Trim(r.Headers[first].Value, " \t\r\n"), true
	}
	vals := make([]string, 0, n)
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			vals = append(vals, strings.Trim(h.Value, " \t\r\n"))
		}
	}
	if len(vals) == 0 {
		return "", false
	}
	sep := ", "
	if strings.EqualFold(name, HeaderCookie) {
		sep = "; "
	}
	return strings.Join(vals, sep), true
}

// Value is Get without the presence flag.
func (r *Request) Value(name string) string {
	v, _ := r.Get(name)
	return v
}

// Set replaces every header called name with one line.
func (r *Request) Set(name, value string) {
	kept := r.Headers[:0]
	for _, h := range r.Headers {
		if !strings.EqualFold(h.Name, name) {
			kept = append(kept, h)
		}
	}
	r.Headers = append(kept, Header{Name: name, Value: value})
}

// Add appends a header line.
func (r *Request) Add(name, value string) {
	r.Headers = append(r.Headers, Header{Name: name, Value: value})
}

// Cookies returns the Cookie header's pairs in order. A header is parsed
// once (see memo.go): the slice is shared by every request that sends the
// same header, and must not be changed.
func (r *Request) Cookies() []Cookie {
	return cookiesOf(r.Value(HeaderCookie)).list
}
