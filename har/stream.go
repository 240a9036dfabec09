package har

import (
	"context"
	"io"
)

// Each reads the capture on one goroutine and hands entries, in order, to
// fn on the caller's: decoding and judging overlap on two cores. It returns
// the reader's error (nil at the end of a complete capture) or ctx's, and
// only once the reading goroutine has stopped, so that the caller may use
// r (Count, Log, Close) at once. A cancelled ctx stops it before the next
// entry; a read blocked in r's source must end with ctx too.
func Each(ctx context.Context, r *Reader, fn func(*Entry)) error {
	type batch struct {
		entries []*Entry
		err     error
	}
	ch := make(chan batch, 4)
	stop := make(chan struct{})
	done := make(chan struct{})
	defer func() {
		close(stop)
		<-done
	}()
	go func() {
		defer close(done)
		defer close(ch)
		const size = 128
		b := make([]*Entry, 0, size)
		for {
			if ctx.Err() != nil {
				return
			}
			e, err := r.Next()
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				select {
				case ch <- batch{b, err}:
				case <-stop:
				}
				return
			}
			b = append(b, e)
			if len(b) == size {
				select {
				case ch <- batch{entries: b}:
				case <-stop:
					return
				}
				b = make([]*Entry, 0, size)
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b, ok := <-ch:
			if !ok {
				return ctx.Err()
			}
			for _, e := range b.entries {
				fn(e)
			}
			if b.err != nil {
				return b.err
			}
		}
	}
}
