package har

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/clerkscope/clerkscope/inspect"
)

// bigHAR is a capture made by ../shared/tools/bighar for benchmarks
// (CLERKSCOPE_BIGHAR=path); without it the bundled captures are repeated.
func benchInput(b *testing.B) []byte {
	if p := os.Getenv("CLERKSCOPE_BIGHAR"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	data, err := os.ReadFile("../testdata/har/b-expired-handshake.har")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkReader measures the streaming reader alone (MB/s).
func BenchmarkReader(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExplainJSON is the whole explain --json pass: read, classify,
// judge every application request, tell the story, write the JSON.
func BenchmarkExplainJSON(b *testing.B) {
	data := benchInput(b)
	pem, _ := os.ReadFile("../testdata/keys/instance-public.pem")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), Options{Lean: true})
		if err != nil {
			b.Fatal(err)
		}
		a := NewAnalyzer(&inspect.Setup{Options: inspect.Options{JWTKey: string(pem)}})
		w := NewJSONWriter(io.Discard, RenderOptions{}, false)
		if err := Each(context.Background(), r, func(e *Entry) {
			for _, j := range a.Add(context.Background(), e) {
				w.Write(j)
			}
		}); err != nil {
			b.Fatal(err)
		}
		for _, j := range a.Flush(context.Background()) {
			w.Write(j)
		}
		if err := w.Close(a.Finish(r.Log()), nil); err != nil {
			b.Fatal(err)
		}
	}
}
