package har

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// encodeBoth encodes r with the append encoder and json.Marshal.
func encodeBoth(t *testing.T, enc *jsonEncoder, r *requestJSON, tok *inspect.JWT) (got, want []byte) {
	t.Helper()
	want, werr := json.Marshal(r)
	got, gerr := enc.request(nil, r, tok)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("json.Marshal error %v, encoder error %v", werr, gerr)
	}
	if werr != nil {
		return nil, nil
	}
	return got, want
}

// requestOf is the requestJSON JSONWriter builds for a judged entry.
func requestOf(j *Judged, o RenderOptions) requestJSON {
	rj := NewRequestJSON(indexOf(j), j.Request, j.Result, o)
	rj.Class = string(j.Class)
	if j.Entry != nil {
		obs := j.Observed
		obs.Location = o.Text(obs.Location)
		rj.Observed = &obs
	}
	return requestJSON{RequestJSON: rj}
}

// TestJSONEncoderCaptures: on every capture in testdata (and the file
// CLERKSCOPE_BIGHAR names), revealed and redacted, each request's JSON is
// byte for byte what json.Marshal writes, with one encoder for the whole
// capture as explain uses it (the tokens' encodings reused).
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
				r := requestOf(j, o)
				got, want := encodeBoth(t, &enc, &r, j.Result.Verdict.Token)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s entry %d (reveal %v):\nencoder:      %s\njson.Marshal: %s", filepath.Base(f), j.Entry.Index, o.Reveal, got, want)
				}
				n++
				if r.Token != nil {
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

// eachJudged streams a capture through the Analyzer.
func eachJudged(t *testing.T, path string, setup *inspect.Setup, fn func(*Judged)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, Options{})
	if err != nil {
		return
	}
	a := NewAnalyzer(setup)
	for {
		e, err := r.Next()
		if err != nil {
			break
		}
		for _, j := range a.Add(context.Background(), e) {
			fn(j)
		}
	}
	for _, j := range a.Flush(context.Background()) {
		fn(j)
	}
}

// TestJSONEncoderRandom fills every field of requestJSON, at any depth,
// with random values — strings with HTML characters, controls, U+2028,
// invalid UTF-8; numbers small, large and negative; nil and empty slices,
// pointers and interfaces; nested arrays and objects in the any fields —
// and compares the encoder with json.Marshal. A field the encoder does not
// know fails it.
func TestJSONEncoderRandom(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		var r requestJSON
		fill(rnd, reflect.ValueOf(&r).Elem(), 0)
		var enc jsonEncoder
		got, want := encodeBoth(t, &enc, &r, nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("value %d:\nencoder:      %s\njson.Marshal: %s", i, got, want)
		}
	}
}

// TestJSONEncoderTokenParts: the second request with the same token reuses
// its encoded header and claims, and still writes what json.Marshal does.
func TestJSONEncoderTokenParts(t *testing.T) {
	tok := &inspect.JWT{Header: map[string]any{"alg": "RS256"}, Payload: map[string]any{"sub": "user_1", "exp": 1.7e9}}
	r := requestJSON{RequestJSON: RequestJSON{Token: &TokenJSON{Carrier: "cookie", Header: tok.Header, Claims: tok.Payload}}}
	var enc jsonEncoder
	for range 2 {
		got, want := encodeBoth(t, &enc, &r, tok)
		if !bytes.Equal(got, want) {
			t.Fatalf("encoder: %s\njson.Marshal: %s", got, want)
		}
	}
	if len(enc.tokens) != 1 {
		t.Fatalf("%d tokens kept, want 1", len(enc.tokens))
	}
}

var samples = []string{"", "a", "signed-in", "<script>&amp;</script>", "tab\there", "nl\ncr\r", "\x00\x01\x1f\x7f",
	"quote \" and \\ backslash", "é — ü", "\u2028\u2029", "\xff\xfe broken", "\u202e bidi", "\b\f", "😀", "\xe2\x80"}

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
func fill(rnd *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(randString(rnd))
	case reflect.Bool:
		v.SetBool(rnd.IntN(2) == 0)
	case reflect.Int:
		v.SetInt(int64(rnd.IntN(1000) - 100))
	case reflect.Float64:
		v.SetFloat(randNumber(rnd))
	case reflect.Pointer:
		if rnd.IntN(4) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(rnd, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		switch rnd.IntN(4) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		s := reflect.MakeSlice(v.Type(), rnd.IntN(3)+1, 3)
		for i := range s.Len() {
			fill(rnd, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if rnd.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range rnd.IntN(3) {
			m.SetMapIndex(reflect.ValueOf(randString(rnd)), reflect.ValueOf(randAny(rnd, depth+1)))
		}
		v.Set(m)
	case reflect.Interface:
		if a := randAny(rnd, depth); a != nil {
			v.Set(reflect.ValueOf(a))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(rnd.Int64N(4e9), rnd.Int64N(1e9)).In(time.FixedZone("", 3600*(rnd.IntN(5)-2)))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rnd, v.Field(i), depth)
			}
		}
	default:
		panic("fill: no random values of kind " + v.Kind().String())
	}
}
