package har

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzReader: whatever the bytes, the reader does not panic and its
// memory stays bounded — its buffer keeps its size, what it decodes
// stays under MaxValue, no kept value passes MaxValue, a gzip stream stops
// at the token limit — its errors are one line, and a capture the jsontext
// reader reads whole it reads the same. The seeds run in every go test;
// fuzz with
//
//	go test -run '^$' -fuzz FuzzReader -fuzztime 60s ./har
func FuzzReader(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/har-samples/*")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && len(data) < 8<<10 {
			f.Add(data)
		}
	}
	head := `{"log": {"version": "1.2", "pages": [{"id": "p", "title": "t"}], "entries": [`
	for _, s := range []string{
		head + bombEntry + `]}}`,
		head + bombEntry + `, ` + bombEntry + `], "pages": [{"id": "q"}]}}`,
		head + `{"request": {"method": "G\u00e9T", "url": "\ud83d\ude00\ud800x", "headers": [{"value": "v", "name": "Cookie"}, {"name": 1}, {"name": null}]}, "response": {"status": "404", "content": {"text": "a\"b\\", "size": -1.5e3}}}]}}`,
		head + `{"timings": {"a": [1, {"b": [true, false, null, "}"]}]}, "time": "12"}]}}`,
		"\xef\xbb\xbfonInputData(" + head + bombEntry + "]}})",
		head + bombEntry,
		`[]`,
		`{"log": null}`,
		`{"log": {"entries": {}}}`,
		`{"log": {"entries": [1, {}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Add(gzipped([]byte(head + bombEntry + `]}}`)))
	f.Add(gzipped([]byte(bombHead + strings.Repeat("QUJD", 64<<10) + bombTail)))
	f.Add(gzipped([]byte(wsHead + strings.Repeat(" ", 256<<10) + wsTail)))
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxValue = 1 << 10
		for _, lean := range []bool{false, true} {
			opts := Options{Lean: lean, KeepBodies: !lean, MaxValue: maxValue, tokenLimit: 64 << 10}
			r, err := NewReader(bytes.NewReader(data), opts)
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("multi-line error %q", err)
				}
				return
			}
			var got []*Entry
			var readErr error
			for {
				e, err := r.Next()
				if err != nil {
					if err != io.EOF {
						readErr = err
					}
					break
				}
				checkCaps(t, e, maxValue)
				if err := unspan(data, e, r.opts); err != nil {
					t.Fatal(err)
				}
				got = append(got, e)
			}
			r.Close()
			var se *SyntaxError
			var te *TruncatedError
			var le *LimitError
			var fe *fieldError
			if readErr != nil && !errors.As(readErr, &se) && !errors.As(readErr, &te) && !errors.As(readErr, &le) && !errors.As(readErr, &fe) && !errors.Is(readErr, ErrNotHAR) {
				t.Fatalf("error of an unknown kind: %#v", readErr)
			}
			if readErr != nil && strings.Contains(readErr.Error(), "\n") {
				t.Fatalf("multi-line error %q", readErr)
			}
			if len(r.sc.buf) != 64<<10 || r.sc.peak > 4*maxValue+64 {
				t.Fatalf("the scanner held %d bytes of buffer, %d of scratch", len(r.sc.buf), r.sc.peak)
			}
			if r.sc.limit > 0 || r.capped > 0 {
				continue // the reference has no caps
			}
			want, wlog, werr := read(data, Options{Lean: lean, KeepBodies: !lean}, true)
			if werr != nil {
				continue // the scanner may read what jsontext refused (inside skipped strings)
			}
			if readErr != nil {
				t.Fatalf("%v; the reference read %d entries", readErr, len(want))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("entries differ from the reference:\n%+v\n%+v", got, want)
			}
			if log := r.Log(); !reflect.DeepEqual(log, wlog) {
				t.Fatalf("log %+v, reference %+v", log, wlog)
			}
		}
	})
}

// checkCaps fails if e keeps a value longer than max.
func checkCaps(t *testing.T, e *Entry, max int) {
	t.Helper()
	long := func(what, s string) {
		if len(s) > max {
			t.Fatalf("entry %d keeps a %d-byte %s over the %d cap", e.Index, len(s), what, max)
		}
	}
	long("url", e.Request.URL)
	long("text", e.Response.Content.Text)
	long("started", e.Started)
	for _, hs := range [][]Header{e.Request.Headers, e.Response.Headers} {
		for _, h := range hs {
			long("header name", h.Name)
			long("header value", h.Value)
		}
	}
	for _, cs := range [][]Cookie{e.Request.Cookies, e.Response.Cookies} {
		for _, c := range cs {
			long("cookie name", c.Name)
			long("cookie value", c.Value)
		}
	}
}
