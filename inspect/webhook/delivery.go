package webhook

import (
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// Header is one header line as captured.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Response is what the app's webhook route answered, when the input shows it.
type Response struct {
	Status  int      `json:"status"`
	Headers []Header `json:"headers,omitempty"`
	Body    string   `json:"body,omitempty"`
}

// Header is the response's header value (first one), "" when absent.
func (r *Response) Header(name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Delivery is one webhook POST as the input holds it: the raw body bytes
// are kept, and read the SDK's way only when judged.
type Delivery struct {
	// Source is the input kind: http, har, cli or json.
	Source string
	// Index is the HAR entry (from 0) or NDJSON line (from 1); 0 otherwise.
	Index  int
	Method string
	URL    string
	// Headers are the request headers in order, duplicates kept.
	Headers []Header
	// Body is the raw body.
	Body []byte
	// BodyNote says how faithful Body is to the bytes on the wire (a HAR
	// keeps text, not bytes).
	BodyNote string
	// Received is when the delivery arrived (HAR startedDateTime, the CLI's
	// time, a JSON "now"); zero when the input does not say.
	Received time.Time
	// Duration is how long the handler took to answer, when captured.
	Duration time.Duration
	// Response is the handler's answer, when captured.
	Response *Response
	// Secret is a signing secret carried by the input itself (the oracle's
	// delivery format); flags and the environment win over it.
	Secret string
	// AppInstance is the instance (ins_…) that signed the session tokens of
	// the app's requests in the same capture (a HAR): the app's instance,
	// "" when the capture shows none.
	AppInstance string
}

// Get is Headers.get as a Request has it: the name matched without case,
// each value stripped of HTTP whitespace, repeated values joined with ", ";
// ok is false when the header is absent.
func (d *Delivery) Get(name string) (string, bool) {
	var vals []string
	for _, h := range d.Headers {
		if strings.EqualFold(strings.TrimSpace(h.Name), name) {
			vals = append(vals, httpTrim(h.Value))
		}
	}
	if vals == nil {
		return "", false
	}
	return strings.Join(vals, ", "), true
}

// Count is how many times the header appears.
func (d *Delivery) Count(name string) int {
	n := 0
	for _, h := range d.Headers {
		if strings.EqualFold(strings.TrimSpace(h.Name), name) {
			n++
		}
	}
	return n
}

// ID is the trimmed svix-id, what groups attempts of one message.
func (d *Delivery) ID() string {
	v, _ := d.Get(HeaderSvixID)
	if v = js.Trim(v); v == "" {
		v, _ = d.Get(HeaderStdID)
		v = js.Trim(v)
	}
	return v
}

// httpTrim strips the HTTP whitespace a Headers object removes from each
// value it is given (fetch's "normalize").
func httpTrim(s string) string { return strings.Trim(s, " \t\r\n") }
