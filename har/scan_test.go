package har

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// read is every entry of data and the error that ended the read (nil at
// the end of a complete capture), with the new reader or the reference.
func read(data []byte, opts Options, ref bool) ([]*Entry, Log, error) {
	var next func() (*Entry, error)
	var log func() Log
	if ref {
		r, err := newRefReader(bytes.NewReader(data), opts)
		if err != nil {
			return nil, Log{}, err
		}
		next, log = r.Next, r.Log
	} else {
		r, err := NewReader(bytes.NewReader(data), opts)
		if err != nil {
			return nil, Log{}, err
		}
		next, log = r.Next, r.Log
	}
	var es []*Entry
	for {
		e, err := next()
		if err == io.EOF {
			return es, log(), nil
		}
		if err != nil {
			return es, log(), err
		}
		if !ref {
			if serr := unspan(data, e, opts); serr != nil {
				return es, log(), serr
			}
		}
		es = append(es, e)
	}
}

// unspan checks that the entry's Span is its object in data (none in a
// gzip stream) and that ReadEntryAt reads the same entry from it, then
// clears the Span, which the reference does not record.
func unspan(data []byte, e *Entry, opts Options) error {
	sp := e.Span
	e.Span = Span{}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		if sp != (Span{}) {
			return fmt.Errorf("entry %d of a gzip stream has a span %+v", e.Index, sp)
		}
		return nil
	}
	if sp.Off < 0 || sp.Len < 2 || sp.Off+sp.Len > int64(len(data)) || data[sp.Off] != '{' || data[sp.Off+sp.Len-1] != '}' {
		return fmt.Errorf("entry %d: span %+v is not its object", e.Index, sp)
	}
	again, err := ReadEntryAt(bytes.NewReader(data), sp, e.Index, opts)
	if err != nil {
		return fmt.Errorf("entry %d read again: %w", e.Index, err)
	}
	again.Span = Span{}
	if !reflect.DeepEqual(again, e) {
		return fmt.Errorf("entry %d read again differs:\n%+v\n%+v", e.Index, again, e)
	}
	return nil
}

// captures lists every HAR in testdata.
func testCaptures(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, glob := range []string{"../testdata/har/*.har", "../testdata/har-samples/*", "../testdata/diagnosis/*.har"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[p] = data
		}
	}
	if len(out) < 30 {
		t.Fatalf("only %d captures found", len(out))
	}
	return out
}

var readerModes = []Options{{}, {Lean: true}, {KeepBodies: true}}

// compareReaders reads data with both readers and says how they differ.
func compareReaders(data []byte, opts Options) string {
	got, glog, gerr := read(data, opts, false)
	want, wlog, werr := read(data, opts, true)
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		return fmt.Sprintf("error %v, reference %v", gerr, werr)
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d entries, reference %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("entry %d:\n%+v\nreference:\n%+v", i, got[i], want[i])
		}
	}
	if !reflect.DeepEqual(glog, wlog) {
		return fmt.Sprintf("log %+v, reference %+v", glog, wlog)
	}
	return ""
}

// TestReaderMatchesReference: the byte scanner reads every capture in
// testdata exactly as the jsontext reader did, in every mode.
func TestReaderMatchesReference(t *testing.T) {
	for name, data := range testCaptures(t) {
		for _, opts := range readerModes {
			t.Run(fmt.Sprintf("%s/%+v", filepath.Base(name), opts), func(t *testing.T) {
				if d := compareReaders(data, opts); d != "" {
					t.Error(d)
				}
			})
		}
	}
	if p := os.Getenv("CLERKSCOPE_BIGHAR"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if d := compareReaders(data, Options{Lean: true}); d != "" {
			t.Errorf("%s: %s", p, d)
		}
	}
}

// TestReaderCuts: a capture cut anywhere gives the entries before the cut,
// as the reference did, and says it is truncated where it stops (the
// reference often pointed at an earlier token, or called a capture cut
// just after "log": or "entries": not a HAR, or counted an empty page for
// "pages": [ cut short).
func TestReaderCuts(t *testing.T) {
	for _, name := range []string{"../testdata/har-samples/chrome.har", "../testdata/har-samples/firefox.har", "../testdata/har/c-signed-out.har"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		step := 3
		if len(data) > 10000 {
			step = 211
		}
		if testing.Short() || raceBuild {
			step *= 7
		}
		bad := 0
		for n := 1; n < len(data) && bad < 5; n += step {
			cut := data[:n]
			got, glog, gerr := read(cut, Options{Lean: true}, false)
			want, wlog, werr := read(cut, Options{Lean: true}, true)
			fail := func(format string, args ...any) {
				t.Errorf("%s cut at %d: %s", name, n, fmt.Sprintf(format, args...))
				bad++
			}
			if !reflect.DeepEqual(got, want) {
				fail("%d entries, reference %d", len(got), len(want))
				continue
			}
			if p := wlog.Pages; len(p) > len(glog.Pages) && p[len(p)-1] == (Page{}) {
				wlog.Pages = p[:len(p)-1]
			}
			if len(wlog.Pages) == 0 {
				wlog.Pages = glog.Pages
			}
			if !reflect.DeepEqual(glog, wlog) {
				fail("log %+v, reference %+v", glog, wlog)
			}
			var te *TruncatedError
			if !errors.As(gerr, &te) {
				if fmt.Sprint(gerr) != fmt.Sprint(werr) {
					fail("error %v, reference %v", gerr, werr)
				}
				continue
			}
			line := bytes.Count(cut, []byte("\n")) + 1
			col := len(cut) - bytes.LastIndexByte(cut, '\n')
			if te.Entries != len(want) || te.Line != line || te.Column != col {
				fail("%v, want line %d, column %d after %d entries", gerr, line, col, len(want))
			}
		}
	}
}

// TestReaderDamage: a capture with one byte changed reads as the
// reference read it whenever the reference could read it. Where the
// reference refused it, the scanner refuses it with the same error, or
// reads it when the byte is inside a value it skips (it checks only the
// brackets and string ends there), or calls invalid JSON what the
// reference called "not a HAR" because it could not read a value.
func TestReaderDamage(t *testing.T) {
	data, err := os.ReadFile("../testdata/har-samples/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	lenient, worded := 0, 0
	step := 7
	if testing.Short() || raceBuild {
		step = 29
	}
	for i := 0; i < len(data); i += step {
		for _, c := range []byte{',', '}', ']', '"', '\\', 'x', '\n', ':', 0x80} {
			if data[i] == c {
				continue
			}
			d := bytes.Clone(data)
			d[i] = c
			want, _, werr := read(d, Options{}, true)
			got, _, gerr := read(d, Options{}, false)
			var gs, ws *SyntaxError
			var gt, wt *TruncatedError
			var fe *fieldError
			switch {
			case werr == nil:
				if diff := compareReaders(d, Options{}); diff != "" {
					t.Errorf("byte %d set to %q: %s", i, c, diff)
				}
			case gerr == nil:
				if len(got) < len(want) {
					t.Errorf("byte %d set to %q: read %d entries, the reference %d then %v", i, c, len(got), len(want), werr)
				}
				lenient++
			case fmt.Sprint(gerr) == fmt.Sprint(werr):
			case errors.As(gerr, &gs) && errors.As(werr, &ws):
				if !reflect.DeepEqual(got, want) {
					t.Errorf("byte %d set to %q: %d entries, reference %d", i, c, len(got), len(want))
				}
				worded++
				if testing.Verbose() {
					t.Logf("byte %d set to %q: %v\n\treference %v", i, c, gerr, werr)
				}
			case errors.As(gerr, &gt) && errors.As(werr, &wt) && gt.Entries == wt.Entries:
			case (errors.Is(werr, ErrNotHAR) || errors.As(werr, &fe)) && errors.As(gerr, &gs):
			default:
				t.Errorf("byte %d set to %q: error %v, reference %v", i, c, gerr, werr)
			}
		}
	}
	t.Logf("%d damaged captures read although the reference refused them (damage inside skipped values); %d errors worded otherwise", lenient, worded)
}

// TestReaderErrors: errors jsontext worded, and where they point.
func TestReaderErrors(t *testing.T) {
	head := `{"log": {"version": "1.2", "entries": [`
	for _, tc := range []string{
		`{"request": {"method": "GET",, "url": "x"}}]}}`,
		`{"request": {"method" "GET"}}]}}`,
		`{"request": {"method": "GET" "url": "x"}}]}}`,
		`{"request": {"method": "GET"}} {}]}}`,
		`{"request": {"method": "G\x"}}]}}`,
		`{"request": {"method": "G\u12"}}]}}`,
		`{"request": {"method": "G` + "\n" + `"}}]}}`,
		`{"request": {"method": tru}}]}}`,
		`{"request": {"method": -}}]}}`,
		`{"request": {"method": 01}}]}}`,
		`{"request": {"method": 1.}}]}}`,
		`{"request": {"method": 1e}}]}}`,
		`{"request": {1: 2}}]}}`,
		`{"request": {"a": 1,}}]}}`,
		`{"request": {"headers": [{"name": "a"},]}}]}}`,
		`{"request": {"a": [1,]}}]}}`,
		`{"request": {"a": {"b": 1,}}}]}}`,
		`{"request": {"a": {"b": 1,]}}]}}`,
		`{"request": {"a": {"b"]}}]}}`,
		`{"request": {"a": {"b" 1}}}]}}`,
		`{"request": {"a": {"b": 1 "c"}}}]}}`,
		`{"request": {"a": {1: 1}}}]}}`,
		`{"request": {"a": [1 2]}}]}}`,
		`{"request": {"a": [1:2]}}]}}`,
		`{"request": {"a": ["x` + "\n" + `"]}}]}}`,
		`{"request": {"a": [tru]}}]}}`,
		`{"request": {"a": [2.]}}]}}`,
		`{"request": {"a": [{}, [], {"b": [null, true, false, -1.5e+3]}]}}]}}`,
		`{"request": {"headers": [{"name": "a"}}]}}]}}`,
		`{"request": {"headers": {"name": "a"]}}]}}`,
		`{"request": {"headers": [{"name": }]}}]}}`,
		`{"request": {"headers": [{"name"]}]}}]}}`,
		`{"request": {"headers": [{"name", "a"}]}}]}}`,
		`{"request": {"headers": [{"name":: "a"}]}}]}}`,
		`{"request": {"headers": [{: "a"}]}}]}}`,
		`{"request": {"headers": [{"a": 1 : "b"}]}}]}}`,
		`{"request": {"headers": [{"a": 1 , }]}}]}}`,
		`{"request": {"headers": [{"a": 1 }, :]}}]}}`,
		`{"request": {"headers": [{"a": 1 } {}]}}]}}`,
		`{"request": {"headers": [, {}]}}]}}`,
		`{"request": {"headers": [{null: 1}]}}]}}`,
		`{"request": {"headers": [{nul: 1}]}}]}}`,
		`{"request": {"headers": [{[]: 1}]}}]}}`,
		`{"request": {"headers": [{-5: 1}]}}]}}`,
		`{"request": {"headers": [{"name": "a"]]}}]}}`,
		`{"request": {"headers": [{"name": "a"}, "b" "c"]}}]}}`,
		`{"request": {"a": 1]}}]}}`,
		`{"time": "1e999"}]}}`,
		`{"request": {"method": "\ud800\u0041\udc00\ud83d\ude00"}}]}}`,
		"{\"request\": {\"method\": \"\xff\xfe\"}}]}}",
		"{\"request\": {\"method\": \"a\xe2\x82\"}}]}}",
		"{\"request\": {\"method\": \"\\u00e9\"}}]}}",
		`{"request": {"method": x}}]}}`,
		`null, 5, {"request": {}}]}}`,
		`{"request": {"method": "GET"}}], "pages": [{"id": "p"}], "x": [1, {"y": "}"}]}}`,
		`{"request": {"method": "GET"}}], "pages": [{"id": "p"}] "x"}}`,
		"\n\n  {\"request\": {\"method\": \"GET\" ,,}}]}}",
	} {
		t.Run(tc, func(t *testing.T) {
			if d := compareReaders([]byte(head+tc), Options{}); d != "" {
				t.Error(d)
			}
		})
	}
	// Worded otherwise than jsontext did.
	for tc, want := range map[string]string{
		`{"time": 1e999}]}}`:                         "line 1, column 54: the number 1e999 is out of range",
		"{\"request\": {\"a\": \"x\\\"\t\\\\\"}}]}}": "", // a skipped string is checked for newlines only
		`{"request": {"a": "x\y"}}]}}`:               "", // not for escapes
		`{"request": {"a": [1}}}]}}`:                 "column 60: invalid character '}' after array element (expecting ',' or ']')",
		`{"request": {"a": {"b": "\""]}}]}}`:         "column 68: invalid character ']' after object value (expecting ',' or '}')",
	} {
		t.Run(tc, func(t *testing.T) {
			_, _, err := read([]byte(head+tc), Options{}, false)
			if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
				t.Errorf("got %v, want %q", err, want)
			}
		})
	}
}
