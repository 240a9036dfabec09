package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// batchLoadedMsg carries judged entries from the loading goroutine. The
// last one has done set, with the story of the capture.
type batchLoadedMsg struct {
	gen int
	// rows are the entries judged, made rows by the load's store (its
	// judged entries are dropped as soon as they are kept).
	rows  []*row
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
	// name is the input as the dashboard names it; every message about it
	// uses it.
	name string
	src  har.Source
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
	// store makes the rows (only the load uses it until the load ends).
	store *rowStore
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

// fileOpener is a file to load.
func fileOpener(path string) har.Source { return har.File(path) }

// bytesOpener is stdin's bytes or a paste (named by the load).
func bytesOpener(b []byte) har.Source { return har.Bytes("", b) }

// batcher is the load's har.Sink: it sends the rows of the judged entries
// in batches, and keeps a pasted request's diagnosis and notes for the
// last message. The first batch goes at 500 rows or 50 ms, for the first
// rows to show at once; the next ones every batchEvery: each batch redraws
// the screen (the progress bar, the count), and drawn every 500 rows the
// screen cost the load of a big capture a tenth of its time.
type batcher struct {
	send    func(batchLoadedMsg) bool
	in      *har.Input
	store   *rowStore
	batch   []*row
	last    time.Time
	sent    bool
	stopped bool
	diag    []har.Diagnosis
	notes   []string
}

// batchEvery is how often a load sends its rows after the first batch.
const batchEvery = 200 * time.Millisecond

func (b *batcher) Write(j *har.Judged) {
	b.batch = append(b.batch, b.store.row(j))
	if b.stopped || b.in.HAR == nil {
		return
	}
	if since := time.Since(b.last); b.sent && since < batchEvery || !b.sent && len(b.batch) < 500 && since <= 50*time.Millisecond {
		return
	}
	b.stopped = !b.send(batchLoadedMsg{rows: b.batch, read: b.in.Read(), total: b.in.Size})
	b.batch, b.last, b.sent = nil, time.Now(), true
}

func (b *batcher) AddPasted(diag []har.Diagnosis, notes []string) {
	b.diag = append(b.diag, diag...)
	b.notes = append(b.notes, notes...)
}

// Close implements har.Sink: load sends the last batch itself, with the
// story and the capture's webhook deliveries, read after the story.
func (b *batcher) Close(*har.Story, error) error { return nil }

// load reads the job's input through har's pipeline (har.Open,
// har.Analyze, Input.Webhooks), as explain does.
func load(ctx context.Context, gen int, job loadJob, ch chan<- batchLoadedMsg) {
	setup := job.setup
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
	src := job.src
	src.Name = job.name
	opts := loadOptions(job.maxValue)
	if job.store != nil && job.store.src != nil {
		// A gzip stream is kept decompressed as it is read, for its rows.
		opts.Spool = job.store.src.spool
	}
	in, err := har.Open(src, opts)
	if err != nil {
		send(batchLoadedMsg{done: true, err: err})
		return
	}
	defer in.Close()
	store := job.store
	if store == nil {
		store = &rowStore{}
	}
	b := &batcher{send: send, in: in, store: store, last: time.Now()}
	prepare := func(p *inspect.Parsed) error { return job.text.apply(p, job.prepare) }
	story, err := har.Analyze(ctx, in, har.Analysis{Setup: setup, Prepare: prepare, Now: job.now}, b)
	if b.stopped || ctx.Err() != nil {
		return
	}
	if in.HAR == nil {
		if err != nil {
			send(batchLoadedMsg{done: true, err: err})
			return
		}
		// A pasted webhook delivery (or several) brings its deliveries.
		hooks, _ := in.Webhooks(setup, job.hookSecret, job.now)
		send(batchLoadedMsg{rows: b.batch, read: in.Size, total: in.Size, done: true, notes: b.notes, diagnosis: b.diag, hooks: hooks})
		return
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", in.Name, err)
	}
	done := batchLoadedMsg{rows: b.batch, done: true, story: story, err: err, read: in.Read(), total: in.Size}
	if story != nil {
		hooks, herr := in.Webhooks(setup, job.hookSecret, job.now)
		done.hooks = hooks
		if herr != nil {
			done.notes = []string{herr.Error()}
		}
	}
	send(done)
}

// loadOptions are the options a load reads its input with, and its rows
// read their entries again with.
func loadOptions(maxValue int64) har.Options { return har.Options{MaxValue: maxValue} }

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
	if s.screen {
		p.Controls = &pasteControls
	}
	if s.URL != "" {
		p.Request.URL = s.URL
	}
	if d := s.Mode.dest(); d != "" && !strings.EqualFold(p.Request.Value("sec-fetch-dest"), d) {
		p.Request.Set("sec-fetch-dest", d)
		p.Notes = append(p.Notes, "judged as "+s.Mode.String()+" (Sec-Fetch-Dest: "+d+"), as chosen on the paste screen")
	}
	return nil
}
