package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exitSignal plus a signal's number is the exit status when a signal stops
// clerkscope, in every mode: 130 for SIGINT, 143 for SIGTERM, 129 for
// SIGHUP, what a shell reports for a command the signal killed.
const exitSignal = 128

// stopSignals end clerkscope cleanly: they cancel the run's context, so
// that reads, Backend API calls and the dashboard stop (the dashboard
// restores the terminal: leaves the alternate screen, turns the mouse off).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// stoppedBy is the cause of a context a signal cancelled.
type stoppedBy struct{ sig os.Signal }

func (s stoppedBy) Error() string {
	switch s.sig {
	case os.Interrupt:
		return "interrupted (SIGINT)"
	case syscall.SIGTERM:
		return "terminated (SIGTERM)"
	case syscall.SIGHUP:
		return "hung up (SIGHUP)"
	}
	return "stopped by " + s.sig.String()
}

// signalContext returns a context the first stop signal cancels. A second
// one exits at once, with the same status, for whatever does not listen.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, stopSignals...)
	go func() {
		sig, ok := <-ch
		if !ok {
			return
		}
		cancel(stoppedBy{sig})
		if _, ok := <-ch; ok {
			os.Exit(interruption(ctx))
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(ch)
		cancel(nil)
	}
}

// interruption is the exit status of a run its context ended: 128 plus the
// signal's number, 130 (an interrupt) when no signal is named.
func interruption(ctx context.Context) int {
	var s stoppedBy
	if errors.As(context.Cause(ctx), &s) {
		if n, ok := s.sig.(syscall.Signal); ok {
			return exitSignal + int(n)
		}
	}
	return exitSignal + int(syscall.SIGINT)
}

// reportInterruption prints the one line an interrupted run ends with.
func reportInterruption(ctx context.Context, stderr io.Writer) int {
	var s stoppedBy
	msg := "interrupted"
	if errors.As(context.Cause(ctx), &s) {
		msg = s.Error()
	}
	fmt.Fprintf(stderr, "clerkscope: %s\n", msg)
	return interruption(ctx)
}

// ctxReader reads until its context ends: a read blocked on a terminal or
// a pipe that never closes (text piped into explain) returns at the
// signal. The abandoned read finishes in the background; nothing reads
// after it.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	buf []byte
}

type readResult struct {
	n   int
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	done := make(chan readResult, 1)
	go func() {
		n, err := c.r.Read(buf)
		done <- readResult{n, err}
	}()
	select {
	case res := <-done:
		return copy(p, buf[:res.n]), res.err
	case <-c.ctx.Done():
		c.buf = nil // the background read still owns it
		return 0, c.ctx.Err()
	}
}

// quietWriter drops what is written once its context ends: after a signal
// the one line that says so is all clerkscope prints (no "context
// canceled" from each step it stopped, no half of a report).
type quietWriter struct {
	ctx context.Context
	w   io.Writer
}

func (q quietWriter) Write(p []byte) (int, error) {
	if q.ctx.Err() != nil {
		return len(p), nil
	}
	return q.w.Write(p)
}

// underlying is the reader or writer a ctxReader or quietWriter wraps, to
// ask whether it is a terminal.
func underlying(v any) any {
	switch x := v.(type) {
	case *ctxReader:
		return x.r
	case quietWriter:
		return x.w
	}
	return v
}
