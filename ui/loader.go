package ui

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"clerkscope/har"
	"clerkscope/inspect"
)

// batchLoadedMsg carries judged entries from the loading goroutine. The
// last one has done set, with the story of the capture.
type batchLoadedMsg struct {
	gen   int
	rows  []*har.Judged
	read  int64
	total int64
	done  bool
	story *har.Story
	err   error
	name  string
	notes []string // what was assumed reading a pasted request
	// diagnosis is a pasted request's (a capture's is in its story).
	diagnosis []har.Diagnosis
}

// loadStartedMsg hands the model the channel of a new load.
type loadStartedMsg struct {
	gen int
	ch  chan batchLoadedMsg
}

// loadCmd starts reading a file (or stdin bytes, or pasted text) in a
// goroutine: entries are judged as they stream and sent in batches, so the
// list fills while a big capture is still loading.
func loadCmd(ctx context.Context, gen int, setup *inspect.Setup, name string, open func() (io.ReadCloser, int64, error), now time.Time) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan batchLoadedMsg, 4)
		go func() {
			defer close(ch)
			load(ctx, gen, setup, name, open, now, ch)
		}()
		return loadStartedMsg{gen: gen, ch: ch}
	}
}

func waitBatch(ch chan batchLoadedMsg) tea.Cmd {
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return nil
		}
		return m
	}
}

func fileOpener(path string) func() (io.ReadCloser, int64, error) {
	return func() (io.ReadCloser, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, 0, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		if st.IsDir() {
			f.Close()
			return nil, 0, fmt.Errorf("%s is a folder: give a HAR or text file", path)
		}
		return f, st.Size(), nil
	}
}

func bytesOpener(b []byte) func() (io.ReadCloser, int64, error) {
	return func() (io.ReadCloser, int64, error) {
		return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
	}
}

// countingReader counts what the HAR reader consumed, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64 // read on the judging goroutine while the reader runs
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func load(ctx context.Context, gen int, setup *inspect.Setup, name string, open func() (io.ReadCloser, int64, error), now time.Time, ch chan<- batchLoadedMsg) {
	send := func(m batchLoadedMsg) bool {
		m.gen, m.name = gen, name
		select {
		case ch <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}
	rc, total, err := open()
	if err != nil {
		send(batchLoadedMsg{done: true, err: err})
		return
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	br := bufio.NewReaderSize(cr, 64<<10)
	head, _ := br.Peek(4096)
	if !har.Sniff(head) {
		data, err := io.ReadAll(io.LimitReader(br, 16<<20))
		if err != nil {
			send(batchLoadedMsg{done: true, err: err})
			return
		}
		p, err := inspect.ParseInput(string(data))
		if err != nil {
			send(batchLoadedMsg{done: true, err: err})
			return
		}
		j := judgeText(setup, p, now)
		send(batchLoadedMsg{rows: []*har.Judged{j}, read: total, total: total, done: true, notes: p.Notes, diagnosis: har.DiagnoseRequest(j, setup)})
		return
	}
	r, err := har.NewReader(br, har.Options{})
	if err != nil {
		send(batchLoadedMsg{done: true, err: err})
		return
	}
	defer r.Close()
	a := har.NewAnalyzer(setup)
	var batch []*har.Judged
	last := time.Now()
	stopped := false
	readErr := har.Each(ctx, r, func(e *har.Entry) {
		batch = append(batch, a.Add(e)...)
		if !stopped && len(batch) > 0 && (len(batch) >= 500 || time.Since(last) > 50*time.Millisecond) {
			stopped = !send(batchLoadedMsg{rows: batch, read: cr.n.Load(), total: total})
			batch, last = nil, time.Now()
		}
	})
	if stopped || ctx.Err() != nil {
		return
	}
	batch = append(batch, a.Flush()...)
	var te *har.TruncatedError
	if readErr != nil && r.Count() == 0 && !errors.As(readErr, &te) {
		send(batchLoadedMsg{rows: batch, done: true, err: readErr, read: cr.n.Load(), total: total})
		return
	}
	send(batchLoadedMsg{rows: batch, done: true, story: a.Finish(r.Log()), err: readErr, read: cr.n.Load(), total: total})
}

// judgeText judges one pasted request.
func judgeText(setup *inspect.Setup, p *inspect.Parsed, now time.Time) *har.Judged {
	req, res := setup.JudgeText(p, now)
	return &har.Judged{Class: har.ClassDocument, Request: req, Result: res, Judged: true, Pasted: p.SetCookies}
}
