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

// The headers the engine reads, as indexes into a headerIndex.
const (
	readForwardedProto = iota
	readForwardedHost
	readHost
	readAuthority
	readCookie
	readAuthorization
	readOrigin
	readReferrer
	readSecFetchDest
	readAccept
	readHeaders // how many
)

var readHeaderNames = [readHeaders]string{
	readForwardedProto: HeaderForwardedProto,
	readForwardedHost:  HeaderForwardedHost,
	readHost:           HeaderHost,
	readAuthority:      headerAuthority,
	readCookie:         HeaderCookie,
	readAuthorization:  HeaderAuthorization,
	readOrigin:         HeaderOrigin,
	readReferrer:       HeaderReferrer,
	readSecFetchDest:   HeaderSecFetchDest,
	readAccept:         HeaderAccept,
}

// headerIndex is where a request's headers the engine reads are, found in
// one pass over its lines: Get would scan every line for each of the ten
// names. get answers what Get answers.
type headerIndex struct {
	req *Request
	// line is the index of a header's first line plus one (0: none).
	line [readHeaders]int32
	// repeated marks the headers sent on more than one line, which Get
	// joins.
	repeated [readHeaders]bool
	// folded is set when a name is not ASCII: strings.EqualFold, and so
	// Get, folds U+212A (Kelvin) to k and U+017F (long s) to s, so such a
	// name may be one of the ten at another length.
	folded bool
}

func indexHeaders(req *Request) headerIndex {
	x := headerIndex{req: req}
	for i := range req.Headers {
		name := req.Headers[i].Name
		h := readHeaderOf(name)
		if h < 0 {
			if !x.folded && !isASCII(name) {
				x.folded = true
			}
			continue
		}
		if x.line[h] != 0 {
			x.repeated[h] = true
			continue
		}
		x.line[h] = int32(i + 1)
	}
	return x
}

// get is req.Get of one of the headers the engine reads.
func (x *headerIndex) get(h int) (string, bool) {
	if x.folded || x.repeated[h] {
		return x.req.Get(readHeaderNames[h])
	}
	i := x.line[h]
	if i == 0 {
		return "", false
	}
	return trimHeaderValue(x.req.Headers[i-1].Value), true
}

// value is get without the presence flag.
func (x *headerIndex) value(h int) string {
	v, _ := x.get(h)
	return v
}

// readHeaderOf is which of the headers the engine reads name is (ASCII
// case folded), or -1.
func readHeaderOf(name string) int {
	h := -1
	switch len(name) {
	case len(HeaderHost):
		h = readHost
	case len(HeaderCookie): // = len(HeaderOrigin), len(HeaderAccept)
		switch name[0] | 0x20 {
		case 'c':
			h = readCookie
		case 'o':
			h = readOrigin
		case 'a':
			h = readAccept
		}
	case len(HeaderReferrer):
		h = readReferrer
	case len(headerAuthority):
		h = readAuthority
	case len(HeaderAuthorization):
		h = readAuthorization
	case len(HeaderSecFetchDest):
		h = readSecFetchDest
	case len(HeaderForwardedHost):
		h = readForwardedHost
	case len(HeaderForwardedProto):
		h = readForwardedProto
	}
	if h < 0 || !lowerEqual(name, readHeaderNames[h]) {
		return -1
	}
	return h
}

// lowerEqual is strings.EqualFold(s, lower) for lower of lower-case ASCII
// and s of its length, but that a byte of s that is not ASCII is never
// equal (indexHeaders leaves names that are not ASCII to Get).
func lowerEqual(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// trimHeaderValue is strings.Trim(s, " \t\r\n"), what Get does to a
// value, without building the cut set per call.
func trimHeaderValue(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isASCII(s string) bool {
	var b byte
	for i := 0; i < len(s); i++ {
		b |= s[i]
	}
	return b < 0x80
}
