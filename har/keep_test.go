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
