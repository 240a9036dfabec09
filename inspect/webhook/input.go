package webhook

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Input kinds (Delivery.Source).
const (
	SourceHTTP = "http"
	SourceHAR  = "har"
	SourceCLI  = "cli"
	SourceJSON = "json"
)

// maxInput bounds what Parse reads of one input.
const maxInput = 256 << 20

// ErrNoDelivery is returned when an input holds no webhook delivery.
var ErrNoDelivery = errors.New("no webhook delivery found: give a raw HTTP request or header block with svix-* headers and a body, a HAR, a `clerk webhooks listen --json` line, or a JSON {headers, body}")

// Parse detects the kind of input and returns every delivery in it: a raw
// HTTP request or a header block followed by the body; a HAR (.har,
// .har.gz, with a BOM) whose POSTs carry svix-* or webhook-* headers; the
// NDJSON lines of the Clerk CLI's `webhooks listen --json`; a JSON object
// {headers, body | bodyBase64} (the oracle's delivery format) or an array
// of them. The raw body bytes are kept.
func Parse(r io.Reader) ([]*Delivery, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("input over %d MB", maxInput>>20)
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
		if data, err = io.ReadAll(io.LimitReader(zr, maxInput+1)); err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
	}
	text := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(text, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("the input is empty")
	}
	var ds []*Delivery
	switch trimmed[0] {
	case '{', '[':
		ds, err = parseJSONInput(trimmed)
	default:
		ds, err = parseHTTP(data)
	}
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, ErrNoDelivery
	}
	return ds, nil
}

// Detect returns the deliveries of a text input (not a HAR) that is
// webhook deliveries — a raw request or header block, CLI lines, a JSON
// {headers, body} — when at least one carries a svix-* or webhook-*
// header; nil for any other text. A request with only cookies or other
// headers is not a delivery.
func Detect(data []byte) []*Delivery {
	lower := bytes.ToLower(data)
	if !bytes.Contains(lower, []byte("svix-")) && !bytes.Contains(lower, []byte("webhook-")) && !bytes.Contains(lower, []byte(`"svix_id"`)) {
		return nil
	}
	ds, err := Parse(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	for _, d := range ds {
		for _, h := range d.Headers {
			if isWebhookHeader(h.Name) {
				return ds
			}
		}
	}
	return nil
}

func parseJSONInput(data []byte) ([]*Delivery, error) {
	// NDJSON: several JSON values one per line.
	if lines := nonEmptyLines(data); len(lines) > 1 && json.Valid(lines[0]) && !json.Valid(data) {
		return parseNDJSON(lines)
	}
	if !json.Valid(data) {
		var probe any
		err := json.Unmarshal(data, &probe)
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	var head struct {
		Log *json.RawMessage `json:"log"`
		// a CLI line alone
		Type    string          `json:"type"`
		BodyB64 *string         `json:"body_b64"`
		Headers json.RawMessage `json:"headers"`
	}
	if data[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, err
		}
		var out []*Delivery
		for i, it := range items {
			d, err := parseDeliveryJSON(it)
			if err != nil {
				return nil, fmt.Errorf("item %d: %v", i, err)
			}
			if d != nil {
				d.Index = i
				out = append(out, d)
			}
		}
		return out, nil
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, err
	}
	switch {
	case head.Log != nil:
		return parseHAR(*head.Log)
	case head.BodyB64 != nil || head.Type == "event":
		return parseNDJSON([][]byte{data})
	case head.Headers != nil:
		d, err := parseDeliveryJSON(data)
		if err != nil || d == nil {
			return nil, err
		}
		return []*Delivery{d}, nil
	}
	return nil, errors.New("a JSON input with neither log (a HAR) nor headers (a delivery): " + ErrNoDelivery.Error())
}

func nonEmptyLines(data []byte) [][]byte {
	var out [][]byte
	for _, l := range bytes.Split(data, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// headerList reads headers given as an object, an array of [name, value]
// pairs or an array of {name, value} (HAR style).
func headerList(raw json.RawMessage) ([]Header, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '{' {
		// Keep the order as written.
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		var hs []Header
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return nil, err
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			name, _ := t.(string)
			switch x := v.(type) {
			case string:
				hs = append(hs, Header{name, x})
			case []any:
				for _, e := range x {
					hs = append(hs, Header{name, fmt.Sprint(e)})
				}
			case nil:
			default:
				hs = append(hs, Header{name, fmt.Sprint(x)})
			}
		}
		return hs, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errors.New("headers: an object, [name, value] pairs or {name, value} objects")
	}
	var hs []Header
	for _, it := range items {
		var pair []string
		if json.Unmarshal(it, &pair) == nil && len(pair) == 2 {
			hs = append(hs, Header{pair[0], pair[1]})
			continue
		}
		var h Header
		if err := json.Unmarshal(it, &h); err != nil {
			return nil, errors.New("headers: an object, [name, value] pairs or {name, value} objects")
		}
		hs = append(hs, h)
	}
	return hs, nil
}

// parseDeliveryJSON reads {headers, body | bodyBase64 | body_b64, secret,
// now, url, method, response}. A body given as a JSON value rather than a
// string was parsed already: it is judged in its compact form, with a note.
func parseDeliveryJSON(raw json.RawMessage) (*Delivery, error) {
	var in struct {
		Headers    json.RawMessage `json:"headers"`
		Body       json.RawMessage `json:"body"`
		Payload    json.RawMessage `json:"payload"`
		BodyBase64 *string         `json:"bodyBase64"`
		BodyB64    *string         `json:"body_b64"`
		Secret     string          `json:"secret"`
		Now        json.RawMessage `json:"now"`
		URL        string          `json:"url"`
		Method     string          `json:"method"`
		Response   *struct {
			Status  int             `json:"status"`
			Headers json.RawMessage `json:"headers"`
			Body    string          `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	hs, err := headerList(in.Headers)
	if err != nil {
		return nil, err
	}
	d := &Delivery{Source: SourceJSON, Method: in.Method, URL: in.URL, Headers: hs, Secret: in.Secret}
	if d.Method == "" {
		d.Method = "POST"
	}
	switch {
	case in.BodyBase64 != nil || in.BodyB64 != nil:
		s := in.BodyBase64
		if s == nil {
			s = in.BodyB64
		}
		b, err := base64.StdEncoding.DecodeString(*s)
		if err != nil {
			return nil, fmt.Errorf("bodyBase64: %v", err)
		}
		d.Body = b
	default:
		body := in.Body
		if body == nil {
			body = in.Payload
		}
		body = bytes.TrimSpace(body)
		switch {
		case len(body) == 0 || string(body) == "null":
		case body[0] == '"':
			var s string
			if err := json.Unmarshal(body, &s); err != nil {
				return nil, fmt.Errorf("body: %v", err)
			}
			d.Body = []byte(s)
		default:
			var buf bytes.Buffer
			if err := json.Compact(&buf, body); err != nil {
				return nil, fmt.Errorf("body: %v", err)
			}
			d.Body = buf.Bytes()
			d.BodyNote = "the body was given as a JSON value, not as the text received: judged in its compact form, which is Clerk's only if no key moved"
		}
	}
	if t, ok := readTime(in.Now); ok {
		d.Received = t
	}
	if in.Response != nil {
		rh, _ := headerList(in.Response.Headers)
		d.Response = &Response{Status: in.Response.Status, Headers: rh, Body: in.Response.Body}
	}
	return d, nil
}

// readTime reads a JSON time: unix ms or s as a number, or RFC 3339.
func readTime(raw json.RawMessage) (time.Time, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, false
	}
	var n float64
	if json.Unmarshal(raw, &n) == nil {
		if n > 1e11 {
			return time.UnixMilli(int64(n)).UTC(), true
		}
		return time.UnixMilli(int64(n * 1000)).UTC(), true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return readTime(json.RawMessage(strconv.FormatFloat(f, 'f', -1, 64)))
		}
	}
	return time.Time{}, false
}

// parseNDJSON reads the Clerk CLI's `webhooks listen --json` lines; lines
// of other types (status, logs) are skipped.
func parseNDJSON(lines [][]byte) ([]*Delivery, error) {
	var out []*Delivery
	for i, l := range lines {
		var in struct {
			Type       string          `json:"type"`
			SvixID     string          `json:"svix_id"`
			EventType  string          `json:"event_type"`
			Headers    json.RawMessage `json:"headers"`
			BodyB64    *string         `json:"body_b64"`
			Body       json.RawMessage `json:"body"`
			ReceivedAt json.RawMessage `json:"received_at"`
			Timestamp  json.RawMessage `json:"timestamp"`
			Time       json.RawMessage `json:"time"`
			Forwarded  *struct {
				Status int    `json:"status"`
				Body   string `json:"body"`
			} `json:"forwarded"`
			Response *struct {
				Status int    `json:"status"`
				Body   string `json:"body"`
			} `json:"response"`
		}
		if err := json.Unmarshal(l, &in); err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if in.Type != "" && in.Type != "event" {
			continue
		}
		if in.BodyB64 == nil && in.Headers == nil {
			continue
		}
		hs, err := headerList(in.Headers)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		d := &Delivery{Source: SourceCLI, Index: i + 1, Method: "POST", Headers: hs}
		if in.SvixID != "" {
			if _, ok := d.Get(HeaderSvixID); !ok {
				d.Headers = append(d.Headers, Header{HeaderSvixID, in.SvixID})
			}
		}
		if in.BodyB64 != nil {
			b, err := base64.StdEncoding.DecodeString(*in.BodyB64)
			if err != nil {
				return nil, fmt.Errorf("line %d: body_b64: %v", i+1, err)
			}
			d.Body = b
		} else if len(in.Body) > 0 {
			var s string
			if json.Unmarshal(in.Body, &s) == nil {
				d.Body = []byte(s)
			} else {
				d.Body = bytes.TrimSpace(in.Body)
			}
		}
		for _, t := range []json.RawMessage{in.ReceivedAt, in.Time, in.Timestamp} {
			if tt, ok := readTime(t); ok {
				d.Received = tt
				break
			}
		}
		if r := in.Forwarded; r != nil && r.Status != 0 {
			d.Response = &Response{Status: r.Status, Body: r.Body}
		} else if r := in.Response; r != nil && r.Status != 0 {
			d.Response = &Response{Status: r.Status, Body: r.Body}
		}
		out = append(out, d)
	}
	return out, nil
}

// harLog is the part of a HAR a delivery needs (request bodies and the
// handler's answer, which the verdict engine's reader skips).
type harLog struct {
	Entries []struct {
		StartedDateTime string  `json:"startedDateTime"`
		Time            float64 `json:"time"`
		Request         struct {
			Method   string   `json:"method"`
			URL      string   `json:"url"`
			Headers  []Header `json:"headers"`
			PostData *struct {
				Text     string `json:"text"`
				Encoding string `json:"encoding"`
				Enc      string `json:"_encoding"`
			} `json:"postData"`
		} `json:"request"`
		Response struct {
			Status  int      `json:"status"`
			Headers []Header `json:"headers"`
			Content struct {
				Text     string `json:"text"`
				Encoding string `json:"encoding"`
			} `json:"content"`
		} `json:"response"`
	} `json:"entries"`
}

func isWebhookHeader(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	return strings.Contains(n, "svix-") || n == HeaderStdSignature || n == HeaderStdID
}

// parseHAR keeps the entries that are webhook deliveries: POSTs with a
// svix-* or webhook-* header.
func parseHAR(raw json.RawMessage) ([]*Delivery, error) {
	var log harLog
	if err := json.Unmarshal(raw, &log); err != nil {
		return nil, fmt.Errorf("HAR: %v", err)
	}
	var out []*Delivery
	kids := map[string]int{}
	for i, e := range log.Entries {
		if kid := sessionKID(e.Request.Headers); kid != "" {
			kids[kid]++
		}
		if !strings.EqualFold(e.Request.Method, "POST") {
			continue
		}
		hook := false
		for _, h := range e.Request.Headers {
			if isWebhookHeader(h.Name) {
				hook = true
				break
			}
		}
		if !hook {
			continue
		}
		d := &Delivery{Source: SourceHAR, Index: i, Method: e.Request.Method, URL: e.Request.URL, Headers: e.Request.Headers,
			BodyNote: "a HAR holds the body as text, as the capture tool decoded it: bytes that were not UTF-8 may already be lost"}
		if pd := e.Request.PostData; pd != nil {
			d.Body = []byte(pd.Text)
			if strings.EqualFold(pd.Encoding, "base64") || strings.EqualFold(pd.Enc, "base64") {
				b, err := base64.StdEncoding.DecodeString(pd.Text)
				if err != nil {
					return nil, fmt.Errorf("HAR entry %d: postData: %v", i, err)
				}
				d.Body, d.BodyNote = b, ""
			}
		}
		if t, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err == nil {
			d.Received = t
		}
		if e.Time > 0 {
			d.Duration = time.Duration(e.Time * float64(time.Millisecond))
		}
		if e.Response.Status > 0 {
			body := e.Response.Content.Text
			if strings.EqualFold(e.Response.Content.Encoding, "base64") {
				if b, err := base64.StdEncoding.DecodeString(body); err == nil {
					body = string(b)
				}
			}
			d.Response = &Response{Status: e.Response.Status, Headers: e.Response.Headers, Body: body}
		}
		out = append(out, d)
	}
	if app := mostSeen(kids); app != "" {
		for _, d := range out {
			d.AppInstance = app
		}
	}
	return out, nil
}

// mostSeen is the key seen most often (on a tie, the first in sort
// order), "" for none.
func mostSeen(n map[string]int) string {
	best := ""
	for _, k := range slices.Sorted(maps.Keys(n)) {
		if n[k] > n[best] {
			best = k
		}
	}
	return best
}

// parseHTTP reads a raw request ("POST /path HTTP/1.1", headers, a blank
// line, the body) or a header block and body. The body is kept byte for
// byte; a Content-Length shorter than what follows cuts it (the extra is
// a paste's, not the sender's), with a note.
func parseHTTP(data []byte) ([]*Delivery, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := &Delivery{Source: SourceHTTP, Method: "POST"}
	br := bufio.NewReader(bytes.NewReader(data))
	consumed := 0
	first := true
	for {
		line, err := br.ReadString('\n')
		consumed += len(line)
		l := strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(l) == "" {
			if first && err == nil {
				continue
			}
			break
		}
		if first {
			first = false
			if f := strings.Fields(l); len(f) >= 2 && isMethod(f[0]) && !strings.HasSuffix(f[0], ":") {
				d.Method, d.URL = f[0], f[1]
				if err != nil {
					break
				}
				continue
			}
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok || strings.ContainsAny(strings.TrimSpace(name), " \t") {
			return nil, fmt.Errorf("line %q is not a header (Name: value): give the headers, a blank line, then the body", clip(l, 60))
		}
		d.Headers = append(d.Headers, Header{strings.TrimSpace(name), strings.TrimLeft(value, " \t")})
		if err != nil {
			break
		}
	}
	if consumed > len(data) {
		consumed = len(data)
	}
	d.Body = data[consumed:]
	if cl, ok := d.Get("content-length"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(cl)); err == nil && n >= 0 && n < len(d.Body) {
			extra := d.Body[n:]
			d.Body = d.Body[:n]
			d.BodyNote = fmt.Sprintf("the %d byte(s) after Content-Length (%q) were left out: they are the paste's, not the request's", len(extra), clip(string(extra), 12))
		}
	}
	if host, ok := d.Get("host"); ok && strings.HasPrefix(d.URL, "/") {
		d.URL = "https://" + host + d.URL
	}
	hook := false
	for _, h := range d.Headers {
		if isWebhookHeader(h.Name) {
			hook = true
		}
	}
	if !hook && len(d.Headers) == 0 {
		return nil, nil
	}
	return []*Delivery{d}, nil
}

func isMethod(s string) bool {
	switch s {
	case "POST", "PUT", "GET", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
