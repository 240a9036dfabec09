package ui

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
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
	// hooks are the capture's webhook deliveries, judged (nil: none).
	hooks *webhook.Report
}

// loadStartedMsg hands the model the channel of a new load.
type loadStartedMsg struct {
	gen int
	ch  chan batchLoadedMsg
}

// loadJob is what one load reads and how it judges it.
type loadJob struct {
	setup *inspect.Setup
	name  string
	open  func() (io.ReadCloser, int64, error)
	// now is the clock of a pasted request without one of its own.
	now time.Time
	// text are the paste screen's settings, applied to text input after
	// prepare (--url and -H, as explain applies them).
	text    settings
	prepare func(*inspect.Parsed) error
	// hookSecret verifies the webhook deliveries of a capture.
	hookSecret string
	// maxValue is har.Options.MaxValue.
	maxValue int64
}

// loadCmd starts reading a file (or stdin bytes, or pasted text) in a
// goroutine: entries are judged as they stream and sent in batches, so the
// list fills while a big capture is still loading.
func loadCmd(ctx context.Context, gen int, job loadJob) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan batchLoadedMsg, 4)
		go func() {
			defer close(ch)
			load(ctx, gen, job, ch)
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

func load(ctx context.Context, gen int, job loadJob, ch chan<- batchLoadedMsg) {
	setup, open, now := job.setup, job.open, job.now
	if job.text.Clock != nil {
		cp := *setup
		cp.Now = job.text.Clock
		setup = &cp
	}
	send := func(m batchLoadedMsg) bool {
		m.gen, m.name = gen, job.name
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
		if err == nil {
			err = job.text.apply(p, job.prepare)
		}
		if err != nil {
			send(batchLoadedMsg{done: true, err: err})
			return
		}
		j := judgeText(setup, p, now)
		send(batchLoadedMsg{rows: []*har.Judged{j}, read: total, total: total, done: true, notes: p.Notes, diagnosis: har.DiagnoseRequest(j, setup)})
		return
	}
	r, err := har.NewReader(br, har.Options{MaxValue: job.maxValue})
	if err != nil {
		send(batchLoadedMsg{done: true, err: err})
		return
	}
	defer r.Close()
	a := har.NewAnalyzer(setup)
	var batch []*har.Judged
	last := time.Now()
	stopped, hooks := false, false
	readErr := har.Each(ctx, r, func(e *har.Entry) {
		hooks = hooks || maybeWebhook(e)
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
	done := batchLoadedMsg{rows: batch, done: true, story: a.Finish(r.Log()), err: readErr, read: cr.n.Load(), total: total}
	if hooks {
		done.hooks, done.notes = readWebhooks(open, setup, job.hookSecret, now)
	}
	send(done)
}

// maybeWebhook reports whether an entry may be a webhook delivery (a POST
// with a svix-* or webhook-* header): then the capture is read again for
// the deliveries' bodies, which the HAR reader skips. webhook.Parse makes
// the final call.
func maybeWebhook(e *har.Entry) bool {
	if !strings.EqualFold(e.Request.Method, "POST") {
		return false
	}
	for _, h := range e.Request.Headers {
		n := strings.ToLower(h.Name)
		if strings.Contains(n, "svix-") || n == webhook.HeaderStdSignature || n == webhook.HeaderStdID {
			return true
		}
	}
	return false
}

// readWebhooks reads the capture again for its webhook deliveries and
// judges them as verifyWebhook would, at each entry's time (--now wins).
func readWebhooks(open func() (io.ReadCloser, int64, error), setup *inspect.Setup, secret string, now time.Time) (*webhook.Report, []string) {
	rc, _, err := open()
	if err != nil {
		return nil, []string{"webhook deliveries not read: " + err.Error()}
	}
	defer rc.Close()
	ds, err := webhook.Parse(rc)
	if err != nil || len(ds) == 0 {
		if err == nil || errors.Is(err, webhook.ErrNoDelivery) {
			return nil, nil
		}
		return nil, []string{"webhook deliveries not read: " + webhook.RedactText(err.Error())}
	}
	var at time.Time
	if setup.Now != nil {
		at = *setup.Now
	}
	return webhook.NewReport(ds, secret, at, now), nil
}

// judgeText judges one pasted request.
func judgeText(setup *inspect.Setup, p *inspect.Parsed, now time.Time) *har.Judged {
	req, res := setup.JudgeText(p, now)
	return &har.Judged{Class: har.ClassDocument, Request: req, Result: res, Judged: true, Pasted: p.SetCookies}
}

// apply sets what the paste screen chose on a pasted request, after
// prepare has applied --url and -H as explain does: the URL typed (none:
// the request's own, as if --url had not been given) and page or fetch.
func (s settings) apply(p *inspect.Parsed, prepare func(*inspect.Parsed) error) error {
	own := p.Request.URL
	if prepare != nil {
		if err := prepare(p); err != nil {
			return err
		}
	}
	p.Request.URL = own
	if s.URL != "" {
		p.Request.URL = s.URL
	}
	if d := s.Mode.dest(); d != "" && !strings.EqualFold(p.Request.Value("sec-fetch-dest"), d) {
		p.Request.Set("sec-fetch-dest", d)
		p.Notes = append(p.Notes, "judged as "+s.Mode.String()+" (Sec-Fetch-Dest: "+d+"), as chosen on the paste screen")
	}
	return nil
}
