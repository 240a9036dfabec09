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

// judgedInput is benchInput read and judged as explain judges it, kept
// for the benchmarks of the output side.
func judgedInput(b *testing.B) ([]*Judged, *Story) {
	data := benchInput(b)
	pem, _ := os.ReadFile("../testdata/keys/instance-public.pem")
	r, err := NewReader(bytes.NewReader(data), Options{Lean: true})
	if err != nil {
		b.Fatal(err)
	}
	a := NewAnalyzer(&inspect.Setup{Options: inspect.Options{JWTKey: string(pem)}})
	var judged []*Judged
	if err := Each(context.Background(), r, func(e *Entry) {
		judged = append(judged, a.Add(context.Background(), e)...)
	}); err != nil {
		b.Fatal(err)
	}
	judged = append(judged, a.Flush(context.Background())...)
	return judged, a.Finish(r.Log())
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// BenchmarkJSONWriter is explain --json's output side alone: the requests
// of benchInput, judged before the loop, encoded and written through the
// JSON sanitizer explain writes through (bytes/s of JSON written).
func BenchmarkJSONWriter(b *testing.B) {
	benchWriter(b, inspect.NewJSONSanitizer, func(w io.Writer) Sink { return NewJSONWriter(w, RenderOptions{}, false) })
}

// BenchmarkTextWriter is explain's text output side alone, as
// BenchmarkJSONWriter is --json's (bytes/s of text written).
func BenchmarkTextWriter(b *testing.B) {
	benchWriter(b, inspect.NewSanitizer, func(w io.Writer) Sink { return NewTextWriter(w, RenderOptions{}, false, false) })
}

// benchWriter writes the judged requests of benchInput with the sink made
// over the sanitizer made over the output.
func benchWriter(b *testing.B, sanitizer func(io.Writer) *inspect.Sanitizer, sink func(io.Writer) Sink) {
	judged, story := judgedInput(b)
	write := func(w io.Writer) {
		s := sanitizer(w)
		out := sink(s)
		for _, j := range judged {
			out.Write(j)
		}
		if err := out.Close(story, nil); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	var n countingWriter
	write(&n)
	b.SetBytes(n.n)
	for b.Loop() {
		write(io.Discard)
	}
}
