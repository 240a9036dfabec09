package har

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestHeader1 holds the reading of a header object in one step (header1)
// to the general one, member by member, field for field: the entries, the
// log and its notes, the errors with their lines and columns, in Lean mode
// and not, under a small cap and the default, on the bundled captures and
// on header objects of every layout and content header1 reads or leaves
// (escapes, controls, raw newlines, extra members, names of 31 to 33
// bytes, values over the cap, objects across the buffer's edge).
func TestHeader1(t *testing.T) {
	var inputs [][]byte
	paths, _ := filepath.Glob("../testdata/har*/*.har")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			inputs = append(inputs, data)
		}
	}
	head := `{"log": {"version": "1.2", "entries": [`
	hdrs := []string{
		`{"name": "Cookie", "value": "__session=abc"}`,
		`{"name":"Accept","value":"*/*"}`,
		"{\n  \"name\" :\t\"Host\" ,\r\n  \"value\" : \"example.com\"\n}",
		`{"name": "sec-ch-ua", "value": "\"Not:A-Brand\";v=\"8\""}`,
		`{"name": "Referer", "value": "a\"b"}`,
		`{"name": "X-Drop", "value": "a\\\"b\u00e9\t"}`,
		`{"name": "X-Drop", "value": "caf` + "\xc3\xa9" + `"}`,
		`{"name": "Host", "value": "caf` + "\xc3\xa9" + `"}`,
		`{"name": "Host", "value": "a` + "\x01" + `b"}`,
		`{"name": "X-Drop", "value": "a` + "\x01" + `b"}`,
		`{"name": "", "value": "v"}`,
		`{"name": "Host", "value": ""}`,
		`{"name": "Host", "value": 12}`,
		`{"name": "Host", "value": null}`,
		`{"name": "Host"}`,
		`{"value": "v", "name": "Host"}`,
		`{"name": "Host", "value": "h", "comment": "c"}`,
		`{"name": "H\u006fst", "value": "h"}`,
		`{"name": "` + strings.Repeat("x", 31) + `", "value": "v"}`,
		`{"name": "x-svix-` + strings.Repeat("y", 25) + `", "value": "v"}`,
		`{"name": "x-svix-` + strings.Repeat("y", 26) + `", "value": "v"}`,
		`{"name": "Host", "value": "` + strings.Repeat("h", 40) + `"}`,
		`{"name": "Set-Cookie", "value": "` + strings.Repeat("s", 300) + `"}`,
		`{"name": "X-Long", "value": "` + strings.Repeat("s", 300) + `"}`,
		`{}`,
		`null`,
	}
	bad := []string{
		`{"name": "X-Drop", "value": "a` + "\n" + `b"}`,
		`{"name": "Host", "value": "a` + "\n" + `b"}`,
		`{"name": "Host", "value": "h",}`,
		`{"name": "Host" "value": "h"}`,
		`{"name": "Host", "value": "h"`,
		`{"name": "Host", "value": "h}`,
		`{"name": "Host", "value": }`,
	}
	entry := func(hs ...string) string {
		h := "[" + strings.Join(hs, ", ") + "]"
		return `{"request": {"method": "GET", "url": "https://a.example/", "headers": ` + h + `}, "response": {"status": 200, "headers": ` + h + `}}`
	}
	inputs = append(inputs, []byte(head+entry(hdrs...)+"]}}"))
	for _, h := range append(hdrs, bad...) {
		inputs = append(inputs, []byte(head+entry(h, h)+",\n"+entry(h)+"\n]}}"))
		inputs = append(inputs, []byte(head+entry(h)+",\n"+entry(h)+" x]}}"))
	}
	// Header objects at every offset of the buffer's edge.
	var big strings.Builder
	big.WriteString(head)
	for i := 0; big.Len() < 70<<10; i++ {
		if i > 0 {
			big.WriteString(",\n")
		}
		big.WriteString(entry(hdrs[i%len(hdrs)], `{"name": "Cookie", "value": "`+strings.Repeat("c", i%97)+`"}`))
	}
	inputs = append(inputs, []byte(big.String()+"]}}"))
	inputs = append(inputs, []byte(big.String()+`, {"request": {"headers": [{"name": "Host", "value": "h"`+"\n x"))

	type reading struct {
		Entries []Entry
		Log     Log
		Err     string
	}
	read1 := func(data []byte, opts Options, fast bool) reading {
		defer func(f bool) { fastHeaders = f }(fastHeaders)
		fastHeaders = fast
		es, log, err := read(data, opts, false)
		rd := reading{Log: log, Err: fmt.Sprint(err)}
		for _, e := range es {
			rd.Entries = append(rd.Entries, *e)
		}
		return rd
	}
	for i, data := range inputs {
		for _, opts := range []Options{{Lean: true}, {}, {Lean: true, MaxValue: 16}, {MaxValue: 16, KeepBodies: true}} {
			want := read1(data, opts, false)
			if got := read1(data, opts, true); !reflect.DeepEqual(got, want) {
				t.Fatalf("input %d, %+v: header1 read\n%+v\nthe general reading\n%+v", i, opts, got, want)
			}
		}
	}
	// The scanner's state after a headers array: where it stopped, the
	// last structural byte (a gzip stream's token limit counts from it),
	// the newlines crossed.
	type state struct {
		Headers      []Header
		Err          string
		Pos, Lines   int
		Mark, LineAt int64
		Notes        []string
	}
	array := func(data string, opts Options, fast bool) state {
		defer func(f bool) { fastHeaders = f }(fastHeaders)
		fastHeaders = fast
		r := Reader{sc: newScanner(strings.NewReader(data), 64<<10), opts: opts, max: readerMax(opts)}
		r.sc.fill()
		hs, err := r.headers(new([]Header))
		return state{hs, fmt.Sprint(err), r.sc.pos, r.sc.lines, r.sc.mark, r.sc.lineAt, r.log.Notes}
	}
	for _, h := range append(hdrs, bad...) {
		for _, data := range []string{"[" + h + "]", "[\n" + h + ",\n " + h + "\n] ", "[" + h + ", " + h} {
			for _, opts := range []Options{{Lean: true}, {}, {Lean: true, MaxValue: 16}, {MaxValue: 16}} {
				want := array(data, opts, false)
				if got := array(data, opts, true); !reflect.DeepEqual(got, want) {
					t.Fatalf("%q, %+v: header1 read\n%+v\nthe general reading\n%+v", data, opts, got, want)
				}
			}
		}
	}
	// The comparison must see header1 at work.
	r := Reader{sc: newScanner(strings.NewReader(""), 64), max: 1 << 10}
	r.sc.end = copy(r.sc.buf, `{"name": "Host", "value": "h"}, `)
	if hs, ok := r.header1(nil); !ok || !reflect.DeepEqual(hs, []Header{{"Host", "h"}}) || r.sc.pos != 30 || r.sc.mark != 30 {
		t.Fatalf("header1 read %v, %v, to %d", hs, ok, r.sc.pos)
	}
}
