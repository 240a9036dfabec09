package har

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// collect is a Sink that keeps every judged entry.
type collect struct{ js []*Judged }

func (c *collect) Write(j *Judged)                 { c.js = append(c.js, j) }
func (c *collect) AddPasted([]Diagnosis, []string) {}
func (c *collect) Close(*Story, error) error       { return nil }

// keptCaptures are the captures a viewer may keep: every HAR of testdata
// and of the shared fixtures, each with the bare setup the dashboard starts
// with and, for the reproductions, the setup of their meta file.
func keptCaptures(t *testing.T) map[string]*inspect.Setup {
	t.Helper()
	out := map[string]*inspect.Setup{}
	for _, dir := range []string{"../testdata/har", "../testdata/diagnosis", "../../shared/fixtures/har", "../testdata/har-samples"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.har"))
		for _, p := range paths {
			out[p] = &inspect.Setup{}
			if dir != "../testdata/diagnosis" {
				continue
			}
			data, err := os.ReadFile(strings.TrimSuffix(p, ".har") + ".meta.json")
			if err != nil {
				continue
			}
			var m reproMeta
			if json.Unmarshal(data, &m) != nil || len(m.OptionsProfiles) == 0 || len(m.OptionsProfiles) > 1 && m.JudgeProfile == "" {
				continue
			}
			out[p+" (meta setup)"], _ = m.profileSetup(t)
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d captures found", len(out))
	}
	return out
}

// TestKeptIsWhole reads every capture, keeps each judged entry, reads the
// entry again from its Span and makes it whole: it must be the judged
// entry the read gave, field for field.
func TestKeptIsWhole(t *testing.T) {
	for name, setup := range keptCaptures(t) {
		t.Run(name, func(t *testing.T) {
			path := strings.TrimSuffix(name, " (meta setup)")
			in, err := Open(File(path), Options{})
			if err != nil {
				t.Skip(err)
			}
			c := &collect{}
			_, _ = Analyze(context.Background(), in, Analysis{Setup: setup, Now: time.Unix(1767225600, 0)}, c)
			in.Close()
			es, err := OpenEntries(File(path), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer es.Close()
			var kp Keeper
			for _, j := range c.js {
				k, ok := kp.Keep(j)
				if !ok {
					t.Fatalf("entry %d not kept (span %+v)", j.Entry.Index, j.Entry.Span)
				}
				e, err := es.Entry(j.Entry.Span, j.Entry.Index)
				if err != nil {
					t.Fatal(err)
				}
				if got := k.Whole(e); !reflect.DeepEqual(got, j) {
					t.Errorf("entry %d made whole differs:\n got %+v\nwant %+v", j.Entry.Index, got, j)
				}
			}
		})
	}
}

// TestKeepShares checks that entries judged alike share one result, and
// that a BOM and a JSONP prefix do not move the spans.
func TestKeepShares(t *testing.T) {
	raw, err := os.ReadFile("../testdata/har/b-expired-handshake.har")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(doc["log"]["entries"], &entries); err != nil {
		t.Fatal(err)
	}
	// The same entries three times: the copies are judged alike.
	all := append(append(append([]json.RawMessage(nil), entries...), entries...), entries...)
	body, _ := json.Marshal(all)
	for _, wrap := range []string{"", "\xef\xbb\xbf", "onInputData("} {
		b := []byte(wrap + `{"log":{"version":"1.2","entries":` + string(body) + `}}`)
		if wrap == "onInputData(" {
			b = append(b, ')')
		}
		in, err := Open(Bytes("big", b), Options{})
		if err != nil {
			t.Fatal(err)
		}
		c := &collect{}
		_, _ = Analyze(context.Background(), in, Analysis{Setup: &inspect.Setup{}}, c)
		in.Close()
		es, err := OpenEntries(Bytes("big", b), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var kp Keeper
		results := map[*inspect.Result]bool{}
		judged := 0
		for _, j := range c.js {
			if !bytes.HasPrefix(b[j.Entry.Span.Off:], []byte("{")) || b[j.Entry.Span.Off+j.Entry.Span.Len-1] != '}' {
				t.Fatalf("%q: entry %d's span %+v is not its object", wrap, j.Entry.Index, j.Entry.Span)
			}
			k, _ := kp.Keep(j)
			if k.Result() != nil {
				results[k.Result()] = true
				judged++
			}
			e, err := es.Entry(j.Entry.Span, j.Entry.Index)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(k.Whole(e), j) {
				t.Errorf("%q: entry %d made whole differs", wrap, j.Entry.Index)
			}
		}
		if judged == 0 || len(results)*2 > judged {
			t.Errorf("%q: %d judged entries keep %d results, want them shared", wrap, judged, len(results))
		}
	}
}

// TestKeepRefuses: a gzip stream's entries and a pasted request cannot
// be read again.
func TestKeepRefuses(t *testing.T) {
	var kp Keeper
	if _, ok := kp.Keep(&Judged{Entry: &Entry{}}); ok {
		t.Error("an entry without a span was kept")
	}
	if _, ok := kp.Keep(&Judged{}); ok {
		t.Error("a pasted request was kept")
	}
	if _, err := OpenEntries(Stream("stdin", strings.NewReader("{}")), Options{}); err == nil {
		t.Error("a stream opened to be read again")
	}
	if _, err := ReadEntryAt(strings.NewReader("{}"), Span{}, 3, Options{}); err == nil || !strings.Contains(err.Error(), "entry 3") {
		t.Errorf("no span: %v", err)
	}
}

// TestSpoolGzip: a gzip stream read with a Spool has entries that
// ReadEntryAt reads again from what the spool received.
func TestSpoolGzip(t *testing.T) {
	raw, err := os.ReadFile("../testdata/har/b-expired-handshake.har")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(append([]byte("\xef\xbb\xbf"), raw...))
	zw.Close()
	var spool bytes.Buffer
	opts := Options{Spool: &spool}
	in, err := Open(Bytes("c.har.gz", gz.Bytes()), opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &collect{}
	_, _ = Analyze(context.Background(), in, Analysis{Setup: &inspect.Setup{}}, c)
	in.Close()
	if len(c.js) == 0 || !bytes.Equal(spool.Bytes(), append([]byte("\xef\xbb\xbf"), raw...)) {
		t.Fatalf("%d entries; the spool holds %d bytes of %d", len(c.js), spool.Len(), len(raw)+3)
	}
	var kp Keeper
	for _, j := range c.js {
		k, ok := kp.Keep(j)
		if !ok {
			t.Fatalf("entry %d not kept", j.Entry.Index)
		}
		e, err := ReadEntryAt(bytes.NewReader(spool.Bytes()), j.Entry.Span, j.Entry.Index, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(k.Whole(e), j) {
			t.Errorf("entry %d made whole from the spool differs", j.Entry.Index)
		}
	}
}

// TestSameResultFields: sameResult compares the fields of these structs
// one by one (the others whole, with ==, or by reflection): a field added
// to one of them must be compared there too.
func TestSameResultFields(t *testing.T) {
	for _, c := range []struct {
		v      any
		fields int
	}{{inspect.Result{}, 5}, {inspect.Verdict{}, 19}, {inspect.Explanation{}, 3}, {inspect.Redirect{}, 3}, {inspect.CookieSet{}, 5}} {
		if n := reflect.TypeOf(c.v).NumField(); n != c.fields {
			t.Errorf("%T has %d fields, sameResult compares %d: compare the new ones", c.v, n, c.fields)
		}
	}
}

// TestSameResultIsDeepEqual: on every capture, two results the Keeper
// would compare are equal for sameResult exactly when reflect.DeepEqual
// says so, and a result differing in any one field is not the same.
func TestSameResultIsDeepEqual(t *testing.T) {
	var all []*inspect.Result
	for name, setup := range keptCaptures(t) {
		in, err := Open(File(strings.TrimSuffix(name, " (meta setup)")), Options{})
		if err != nil {
			continue
		}
		c := &collect{}
		_, _ = Analyze(context.Background(), in, Analysis{Setup: setup, Now: time.Unix(1767225600, 0)}, c)
		in.Close()
		for _, j := range c.js {
			if j.Judged {
				res := j.Result
				res.At = time.Time{}
				if res.Clock != nil {
					cl := *res.Clock
					cl.Sent = time.Time{}
					res.Clock = &cl
				}
				all = append(all, &res)
			}
		}
	}
	if len(all) < 100 {
		t.Fatalf("only %d results", len(all))
	}
	same := 0
	for i, a := range all {
		for _, b := range all[i:min(len(all), i+40)] {
			want := reflect.DeepEqual(a, b)
			if got := sameResult(a, b); got != want {
				t.Fatalf("sameResult %v, DeepEqual %v:\n%+v\n%+v", got, want, a.Verdict, b.Verdict)
			}
			if want {
				same++
			}
		}
	}
	if same <= len(all) {
		t.Errorf("only %d equal pairs among %d results", same, len(all))
	}
	// One field changed at a time, by reflection, anywhere in a verdict.
	base := all[0]
	for _, res := range all {
		if res.Verdict.Token != nil && res.Verdict.Auth != nil && len(res.Verdict.Evidence) > 0 {
			base = res
			break
		}
	}
	v := reflect.ValueOf(base.Verdict).Elem()
	for i := 0; i < v.NumField(); i++ {
		cp := *base.Verdict
		f := reflect.ValueOf(&cp).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Slice:
			f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
		case reflect.Pointer:
			if f.IsNil() {
				f.Set(reflect.New(f.Type().Elem()))
			} else {
				f.Set(reflect.Zero(f.Type()))
			}
		case reflect.Interface:
			f.Set(reflect.ValueOf(12.5))
		case reflect.Struct:
			f.Field(0).SetString(f.Field(0).String() + "x")
		default:
			t.Fatalf("field %s of kind %s not changed", v.Type().Field(i).Name, f.Kind())
		}
		other := *base
		other.Verdict = &cp
		if sameResult(base, &other) {
			t.Errorf("a verdict with another %s is the same", v.Type().Field(i).Name)
		}
	}
}
