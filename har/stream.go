package har

import (
	"context"
	"io"
)

// Each reads the capture on one goroutine and hands entries, in order, to
// fn on the caller's: decoding and judging overlap on two cores. It returns
// the reader's error (nil at the end of a complete capture) or ctx's.
func Each(ctx context.Context, r *Reader, fn func(*Entry)) error {
	type batch struct {
		entries []*Entry
		err     error
	}
	ch := make(chan batch, 4)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		const size = 128
		b := make([]*Entry, 0, size)
		for {
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
				return nil
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
