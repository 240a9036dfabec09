package har

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// BenchmarkAnalyze is explain's judging goroutine alone: classify, judge
// and tell the story of every entry of a capture read beforehand (as
// explain reads it: Clerk's headers only), with jwtKey. Reported per
// entry; CLERKSCOPE_BIGHAR picks the capture (a --cookies one sends the
// session cookie with every request).
func BenchmarkAnalyze(b *testing.B) {
	data := benchInput(b)
	r, err := NewReader(bytes.NewReader(data), Options{Lean: true})
	if err != nil {
		b.Fatal(err)
	}
	var entries []*Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		entries = append(entries, e)
	}
	log := r.Log()
	data = nil
	pem, err := os.ReadFile("../testdata/keys/instance-public.pem")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		a := NewAnalyzer(&inspect.Setup{Options: inspect.Options{JWTKey: string(pem)}})
		for _, e := range entries {
			a.Add(ctx, e)
		}
		a.Flush(ctx)
		a.Finish(log)
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*len(entries)), "ns/entry")
}
