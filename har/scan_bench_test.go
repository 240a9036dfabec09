package har

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

// BenchmarkReaderReference is BenchmarkReader on the jsontext reader the
// scanner replaced, to compare the two in one run:
//
//	go test -run '^$' -bench 'Reader(Reference)?$' -benchmem -count 5 ./har
func BenchmarkReaderReference(b *testing.B) {
	data := benchInput(b)
	benchRead(b, data, func() (func() (*Entry, error), error) {
		r, err := newRefReader(bytes.NewReader(data), Options{})
		if err != nil {
			return nil, err
		}
		return r.Next, nil
	})
}

// BenchmarkReaderLean is the reader as explain uses it (Lean), with the
// allocations per entry.
func BenchmarkReaderLean(b *testing.B) {
	data := benchInput(b)
	benchRead(b, data, func() (func() (*Entry, error), error) {
		r, err := NewReader(bytes.NewReader(data), Options{Lean: true})
		if err != nil {
			return nil, err
		}
		return r.Next, nil
	})
}

// BenchmarkReaderLeanReference is BenchmarkReaderLean on jsontext.
func BenchmarkReaderLeanReference(b *testing.B) {
	data := benchInput(b)
	benchRead(b, data, func() (func() (*Entry, error), error) {
		r, err := newRefReader(bytes.NewReader(data), Options{Lean: true})
		if err != nil {
			return nil, err
		}
		return r.Next, nil
	})
}

func benchRead(b *testing.B, data []byte, open func() (func() (*Entry, error), error)) {
	b.SetBytes(int64(len(data)))
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	entries := 0
	for b.Loop() {
		next, err := open()
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			entries++
		}
	}
	runtime.ReadMemStats(&ms1)
	if entries > 0 {
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(entries), "allocs/entry")
		b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(entries), "B/entry")
	}
}
