package har

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// requestJSON is what json.Marshal is given to check the encoder:
// NewRequestJSON's object plus the lookup.
type requestJSON struct {
	RequestJSON
	Lookup any `json:"lookup,omitempty"`
}

// encodeBoth encodes j with the append encoder and with json.Marshal,
// escaped as the JSON sanitizer escapes it; it fails if the encoder's
// bytes are not escaped already.
func encodeBoth(t *testing.T, enc *jsonEncoder, j *Judged, lookup any, o RenderOptions) (got, want []byte) {
	t.Helper()
	r := requestOf(j, o, lookup)
	want, werr := json.Marshal(r)
	got, gerr := enc.judged(nil, j, lookup, o)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("json.Marshal error %v, encoder error %v", werr, gerr)
	}
	if werr != nil {
		return nil, nil
	}
	if again := inspect.AppendJSONEscaped(nil, got); !bytes.Equal(again, got) {
		t.Fatalf("the encoder wrote what the JSON sanitizer changes:\nencoder:   %q\nsanitized: %q", got, again)
	}
	return got, inspect.AppendJSONEscaped(nil, want)
}

// requestOf is the object explain --json writes for a judged entry, as
// NewRequestJSON and JSONWriter make it.
func requestOf(j *Judged, o RenderOptions, lookup any) requestJSON {
	rj := NewRequestJSON(indexOf(j), j.Request, j.Result, o)
	rj.Class = string(j.Class)
	if j.Entry != nil {
		obs := j.Observed
		obs.Location = o.Text(obs.Location)
		rj.Observed = &obs
	}
	return requestJSON{RequestJSON: rj, Lookup: lookup}
}

// TestJSONEncoderCaptures: on every capture in testdata (and the file
// CLERKSCOPE_BIGHAR names), revealed and redacted, each request's JSON is
// byte for byte what json.Marshal writes, with one encoder for the whole
// capture as explain uses it (verdict parts, tokens' parts and relative
// times reused).
func TestJSONEncoderCaptures(t *testing.T) {
	var files []string
	for _, g := range []string{"../testdata/har/*.har", "../testdata/diagnosis/*.har", "../testdata/har-samples/*.har"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if p := os.Getenv("CLERKSCOPE_BIGHAR"); p != "" {
		files = append(files, p)
	}
	if len(files) < 10 {
		t.Fatalf("only %d captures found", len(files))
	}
	n, withToken := 0, 0
	for _, f := range files {
		for _, o := range []RenderOptions{{}, {Reveal: true}} {
			var enc jsonEncoder
			compare := func(j *Judged) {
				if !j.Judged {
					return
				}
				got, want := encodeBoth(t, &enc, j, nil, o)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s entry %d (reveal %v):\nencoder:      %s\njson.Marshal: %s", filepath.Base(f), j.Entry.Index, o.Reveal, got, want)
				}
				n++
				if j.Result.Verdict.Token != nil {
					withToken++
				}
			}
			eachJudged(t, f, &inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}}, compare)
		}
	}
	if n < 100 || withToken < 50 {
		t.Fatalf("only %d requests compared (%d with a token)", n, withToken)
	}
}

// eachJudged streams a capture through the Analyzer (whatever stops the
// read: the entries before it are given).
func eachJudged(t *testing.T, path string, setup *inspect.Setup, fn func(*Judged)) {
	t.Helper()
	streamCapture(t, path, setup, false, fn)
}

// TestJSONEncoderRandom fills every field of a judged entry, at any
// depth, with random values — strings with HTML characters, controls,
// U+2028, invalid UTF-8; numbers small, large and negative; nil and empty
// slices, pointers and interfaces; nested arrays and objects in the any
// fields — and compares the encoder with json.Marshal, each value with a
// fresh encoder and the whole series with one. A field the encoder does
// not know fails it.
func TestJSONEncoderRandom(t *testing.T) {
	var kept jsonEncoder
	for i := range 5000 {
		f := newFiller(uint64(i), -1)
		j, lookup := randJudged(f)
		o := RenderOptions{Reveal: i%2 == 0}
		var enc jsonEncoder
		got, want := encodeBoth(t, &enc, j, lookup, o)
		if !bytes.Equal(got, want) {
			t.Fatalf("value %d:\nencoder:      %s\njson.Marshal: %s", i, got, want)
		}
		if got, _ := encodeBoth(t, &kept, j, lookup, o); !bytes.Equal(got, want) {
			t.Fatalf("value %d, encoder kept across values:\nencoder:      %s\njson.Marshal: %s", i, got, want)
		}
	}
}

// TestJSONEncoderReuse: the parts the encoder keeps are reused only for
// the values they were made of. A random entry is encoded, then, one at a
// time, the same entry with one field changed (each field of the request,
// the verdict, its auth, token and explanation in turn: a value, or a
// pointer or slice made nil, empty or zero), then the first again, with
// one encoder: each must be what json.Marshal writes. A field
// the reuse does not compare writes the first entry's bytes for the
// changed one and fails it.
func TestJSONEncoderReuse(t *testing.T) {
	reused, changes := 0, 0
	for seed := range uint64(60) {
		base := newFiller(seed, -1)
		jb, lb := randJudged(base)
		var enc jsonEncoder
		check := func(what string, j *Judged, lookup any) {
			t.Helper()
			if got, want := encodeBoth(t, &enc, j, lookup, RenderOptions{}); !bytes.Equal(got, want) {
				t.Fatalf("seed %d, %s:\nencoder:      %s\njson.Marshal: %s", seed, what, got, want)
			}
		}
		check("first", jb, lb)
		if len(enc.bodies) == 0 {
			t.Fatalf("seed %d: the verdict part was not kept", seed)
		}
		first := enc.bodies[0]
		for k := range base.leaf {
			jm, lm := randJudged(newFiller(seed, k))
			check(fmt.Sprintf("leaf %d changed", k), jm, lm)
			check(fmt.Sprintf("first again after leaf %d", k), jb, lb)
			if enc.bodies[0] == first {
				reused++
			}
			changes++
		}
	}
	if changes < 1000 || reused < changes/2 {
		t.Fatalf("%d changes tried, the first entry's verdict part reused %d times", changes, reused)
	}
}

// TestJSONEncoderChangedAfter: a verdict changed after it was written
// (which explain does not do) is still written as it is now, not as the
// kept bytes say.
func TestJSONEncoderChangedAfter(t *testing.T) {
	for seed := range uint64(200) {
		j, _ := randJudged(newFiller(seed, -1))
		var enc jsonEncoder
		for round := range 4 {
			if got, want := encodeBoth(t, &enc, j, nil, RenderOptions{}); !bytes.Equal(got, want) {
				t.Fatalf("seed %d round %d:\nencoder:      %s\njson.Marshal: %s", seed, round, got, want)
			}
			v := j.Result.Verdict
			switch round {
			case 0:
				v.Message += "!"
				v.Status = "signed-in"
			case 1:
				if len(v.Evidence) > 0 {
					v.Evidence[0].Found += "!"
				} else {
					v.Evidence = []inspect.Step{}
				}
				j.Result.Explanation.Next = append(j.Result.Explanation.Next, "more")
			case 2:
				if v.Auth == nil {
					v.Auth = &inspect.Auth{}
				}
				switch x := v.Auth.UserID.(type) {
				case map[string]any:
					x["changed"] = true
				case []any:
					if len(x) > 0 {
						x[0] = "changed"
					}
				default:
					v.Auth.UserID = "changed"
				}
			}
		}
	}
}

// TestJSONEncoderRevealApart: a verdict part encoded for --reveal is not
// reused for a redacted output, nor the other way.
func TestJSONEncoderRevealApart(t *testing.T) {
	const sig = "c2lnbmF0dXJlLXNlY3JldC12YWx1ZQ"
	tok := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzEifQ." + sig
	v := &inspect.Verdict{Status: inspect.SignedOut, Reason: "session-token-expired", Message: "JWT " + tok + " is expired",
		Headers: []inspect.Header{{Name: "set-cookie", Value: "__session=" + tok + "; Path=/"}}, Location: "https://x.test/?__session=" + tok}
	j := &Judged{Judged: true, Entry: &Entry{Index: 3}, Request: inspect.Request{Method: "GET", URL: "https://x.test/"},
		Result: inspect.Result{Verdict: v, At: time.Unix(1.8e9, 0)}}
	var enc jsonEncoder
	for _, reveal := range []bool{true, false, true, false} {
		got, want := encodeBoth(t, &enc, j, nil, RenderOptions{Reveal: reveal})
		if !bytes.Equal(got, want) {
			t.Fatalf("reveal %v:\nencoder:      %s\njson.Marshal: %s", reveal, got, want)
		}
		if bytes.Contains(got, []byte(sig)) != reveal {
			t.Fatalf("reveal %v: the signature shown %v: %s", reveal, !reveal, got)
		}
	}
}

// TestJSONEncoderRelative: the relative times kept are relative's own
// phrases, around every rounding edge, at the request, and far off.
func TestJSONEncoderRelative(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	at := time.Unix(1_800_000_000, 0).UTC()
	var enc jsonEncoder
	for i := range 50000 {
		var d time.Duration
		switch rnd.IntN(6) {
		case 0:
			d = time.Duration(rnd.Int64N(6000)-3000) * time.Millisecond
		case 1:
			d = time.Duration(rnd.IntN(9)-4) * 500 * time.Millisecond
		case 2:
			d = time.Duration(rnd.Int64N(int64(100*time.Hour))) - 50*time.Hour
		case 3:
			d = time.Duration(rnd.IntN(7)-3) * time.Second
		case 4:
			d = relKeptBelow + time.Duration(rnd.IntN(5)-2)
			if rnd.IntN(2) == 0 {
				d = -d
			}
		default:
			d = time.Duration(rnd.Int64N(int64(relKeptBelow)))*time.Duration(rnd.IntN(3)) - relKeptBelow
		}
		base := at.Add(time.Duration(rnd.IntN(1000)) * time.Millisecond)
		tm := base.Add(d)
		if i%1000 == 0 {
			tm = time.Unix(rnd.Int64N(1e12)-5e11, 0) // beyond what a Duration holds
		}
		got, want := enc.relative(nil, tm, base), appendString(nil, relative(tm, base))
		if !bytes.Equal(got, want) {
			t.Fatalf("%v from %v: kept %s, relative %s", tm, base, got, want)
		}
	}
}

// randJudged is a judged entry with random values in every field (and a
// lookup, sometimes), drawn from f.
func randJudged(f *filler) (*Judged, any) {
	j := &Judged{Judged: true}
	f.fill(reflect.ValueOf(&j.Request).Elem(), 0)
	f.fill(reflect.ValueOf(&j.Result).Elem(), 0)
	f.fill(reflect.ValueOf(&j.Observed).Elem(), 0)
	var class string
	f.fill(reflect.ValueOf(&class).Elem(), 0)
	rnd := f.rnd
	if rnd.IntN(3) > 0 {
		j.Class = Class(class)
	}
	if rnd.IntN(4) > 0 {
		j.Entry = &Entry{Index: rnd.IntN(100000)}
	}
	if j.Result.Verdict == nil {
		j.Result.Verdict = &inspect.Verdict{}
	}
	v := j.Result.Verdict
	if rnd.IntN(2) == 0 {
		v.Status = []inspect.Status{inspect.SignedIn, inspect.SignedOut, inspect.Handshake, inspect.Throws}[rnd.IntN(4)]
	}
	if v.Token != nil && rnd.IntN(2) == 0 {
		// Claim times about the request's time, to the millisecond.
		c := map[string]any{}
		for _, name := range []string{"exp", "iat", "nbf", "sub"} {
			if rnd.IntN(4) > 0 {
				c[name] = float64(j.Result.At.UnixMilli()+rnd.Int64N(200000)-100000) / 1000
			}
		}
		v.Token.Payload = c
	}
	var lookup any
	if rnd.IntN(3) == 0 {
		lookup = randAny(rnd, 0)
	}
	return j, lookup
}

// filler fills values at random; with mutate ≥ 0, the leaf of that number
// (in the order filled) gets another value than the same seed gives it
// otherwise, and everything else the same.
type filler struct {
	rnd    *rand.Rand
	leaf   int
	mutate int
}

func newFiller(seed uint64, mutate int) *filler {
	return &filler{rnd: rand.New(rand.NewPCG(seed, 2)), mutate: mutate}
}

// changed reports whether the leaf being filled is the one to change.
func (f *filler) changed() bool {
	f.leaf++
	return f.leaf-1 == f.mutate
}

var samples = []string{"", "a", "signed-in", "<script>&amp;</script>", "tab\there", "nl\ncr\r", "\x00\x01\x1f\x7f",
	"quote \" and \\ backslash", "é — ü", "\u2028\u2029", "\xff\xfe broken", "\u202e bidi", "\u0085\u009b C1", "\u2066\u200f\u061c", "\b\f", "😀", "\xe2\x80"}

func randString(rnd *rand.Rand) string {
	s := ""
	for range rnd.IntN(3) + 1 {
		s += samples[rnd.IntN(len(samples))]
	}
	return s
}

func randNumber(rnd *rand.Rand) float64 {
	switch rnd.IntN(6) {
	case 0:
		return float64(rnd.IntN(2000) - 1000)
	case 1:
		return rnd.Float64() * 1e-7
	case 2:
		return rnd.Float64() * 1e22
	case 3:
		return -rnd.Float64() * 1e21
	case 4:
		return math.Copysign(0, -1)
	}
	return rnd.NormFloat64() * 1e6
}

// randAny is a value as encoding/json decodes one into any.
func randAny(rnd *rand.Rand, depth int) any {
	k := rnd.IntN(8)
	if depth > 2 && k >= 5 {
		k = rnd.IntN(5)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return rnd.IntN(2) == 0
	case 2:
		return randNumber(rnd)
	case 3, 4:
		return randString(rnd)
	case 5:
		var a []any
		if rnd.IntN(4) > 0 {
			a = []any{}
		}
		for range rnd.IntN(4) {
			a = append(a, randAny(rnd, depth+1))
		}
		return a
	case 6:
		return []string{randString(rnd)}
	}
	m := map[string]any{}
	for range rnd.IntN(5) {
		m[randString(rnd)] = randAny(rnd, depth+1)
	}
	return m
}

// fill sets v, and everything under it, to random values.
func (f *filler) fill(v reflect.Value, depth int) {
	rnd := f.rnd
	switch v.Kind() {
	case reflect.String:
		s := randString(rnd)
		if f.changed() {
			s += "~"
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(rnd.IntN(2) == 0 != f.changed())
	case reflect.Int, reflect.Int64:
		n := int64(rnd.IntN(1000) - 100)
		if f.changed() {
			n++
		}
		v.SetInt(n)
	case reflect.Uint8:
		n := uint64(rnd.IntN(256))
		if f.changed() {
			n = (n + 1) % 256
		}
		v.SetUint(n)
	case reflect.Float64:
		x := randNumber(rnd)
		if f.changed() {
			if x == 0 {
				x = 1
			} else {
				x *= 2
			}
		}
		v.SetFloat(x)
	case reflect.Pointer:
		// A changed pointer is nil for one made, one to a zero value for
		// nil (filled the same, to draw the same numbers).
		nilPtr, changed := rnd.IntN(4) == 0, f.changed()
		p := reflect.New(v.Type().Elem())
		if !nilPtr {
			f.fill(p.Elem(), depth+1)
		}
		if nilPtr == changed {
			v.Set(p)
		}
	case reflect.Slice:
		// A changed slice is empty for nil, nil for one with elements.
		k, changed := rnd.IntN(4), f.changed()
		switch k {
		case 0:
			if changed {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		case 1:
			if !changed {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		s := reflect.MakeSlice(v.Type(), rnd.IntN(3)+1, 3)
		for i := range s.Len() {
			f.fill(s.Index(i), depth+1)
		}
		if !changed {
			v.Set(s)
		}
	case reflect.Map:
		if rnd.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range rnd.IntN(3) {
			m.SetMapIndex(reflect.ValueOf(randString(rnd)), reflect.ValueOf(randAny(rnd, depth+1)))
		}
		if f.changed() {
			m.SetMapIndex(reflect.ValueOf("~"), reflect.ValueOf(any("~")))
		}
		v.Set(m)
	case reflect.Interface:
		a := randAny(rnd, depth)
		if f.changed() {
			a = changedAny(a)
		}
		if a != nil {
			v.Set(reflect.ValueOf(a))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			tm := time.Unix(rnd.Int64N(4e9), rnd.Int64N(1e9)).In(time.FixedZone("", 3600*(rnd.IntN(5)-2)))
			if f.changed() {
				tm = tm.Add(time.Millisecond)
			}
			v.Set(reflect.ValueOf(tm))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth)
			}
		}
	default:
		panic("fill: no random values of kind " + v.Kind().String())
	}
}

// changedAny is a value that encodes differently from a.
func changedAny(a any) any {
	switch x := a.(type) {
	case nil:
		return "~"
	case bool:
		return !x
	case float64:
		if x == 0 {
			return 1.0
		}
		return x * 2
	case string:
		return x + "~"
	case []string:
		return append(slices.Clone(x), "~")
	case []any:
		return append(slices.Clone(x), "~")
	case map[string]any:
		c := maps.Clone(x)
		if c == nil {
			c = map[string]any{}
		}
		c["~"] = "~"
		return c
	}
	panic(fmt.Sprintf("changedAny: %T", a))
}

// TestJSONWriterEscaped: explain --json's whole document, for every
// capture in testdata, is the same written to a buffer and through the
// JSON sanitizer, and the sanitizer would change nothing of it.
func TestJSONWriterEscaped(t *testing.T) {
	files := analysisCaptures()
	if len(files) < 5 {
		t.Fatalf("only %d captures found", len(files))
	}
	for _, f := range files {
		var plain, sanitized bytes.Buffer
		for _, w := range []io.Writer{&plain, inspect.NewJSONSanitizer(&sanitized)} {
			jw := NewJSONWriter(w, RenderOptions{}, true)
			a := NewAnalyzer(&inspect.Setup{Options: inspect.Options{JWTKey: jwtKey(t)}})
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewReader(bytes.NewReader(data), Options{Lean: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := Each(context.Background(), r, func(e *Entry) {
				for _, j := range a.Add(context.Background(), e) {
					jw.Write(j)
				}
			}); err != nil {
				t.Fatal(err)
			}
			for _, j := range a.Flush(context.Background()) {
				jw.Write(j)
			}
			if err := jw.Close(a.Finish(r.Log()), nil); err != nil {
				t.Fatal(err)
			}
			if s, ok := w.(*inspect.Sanitizer); ok {
				_ = s.Close()
			}
		}
		if !bytes.Equal(plain.Bytes(), sanitized.Bytes()) {
			t.Fatalf("%s: the document differs through the sanitizer", filepath.Base(f))
		}
		if again := inspect.AppendJSONEscaped(nil, plain.Bytes()); !bytes.Equal(again, plain.Bytes()) {
			t.Fatalf("%s: the sanitizer changes the document", filepath.Base(f))
		}
		if !json.Valid(plain.Bytes()) || plain.Len() < 1000 {
			t.Fatalf("%s: %d bytes, not a JSON document", filepath.Base(f), plain.Len())
		}
	}
}
