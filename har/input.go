package har

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// The one pipeline explain, report and the dashboard read through:
// Open sniffs a source (a file, stdin, pasted bytes) as a HAR stream or one
// text request, Analyze judges it into a Sink and returns the capture's
// story, and Input.Webhooks judges a capture's webhook deliveries.

// MaxText is the largest text input (a Cookie header, a cURL command, Set-Cookie
// lines…) read; a longer one is refused, never cut: a capture belongs in a
// .har file.
const MaxText = 16 << 20

// Source is an input to read.
type Source struct {
	// Name names the input in every message: its path, "stdin", "pasted
	// cookie header".
	Name string
	// Open opens the input's bytes with their size (0: unknown).
	Open func() (io.ReadCloser, int64, error)
	// once is a stream that can be read only once (stdin).
	once bool
}

// File is a file to read.
func File(path string) Source {
	return Source{Name: path, Open: func() (io.ReadCloser, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, 0, FileError(err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, FileError(err)
		}
		if st.IsDir() {
			f.Close()
			return nil, 0, errFolder
		}
		return f, st.Size(), nil
	}}
}

// errFolder is a folder given where a file belongs.
var errFolder = errors.New("is a folder: give a HAR or text file")

// Bytes is text or a capture held in memory (a paste).
func Bytes(name string, b []byte) Source {
	return Source{Name: name, Open: func() (io.ReadCloser, int64, error) {
		return heldBytes{bytes.NewReader(b)}, int64(len(b)), nil
	}}
}

// heldBytes is bytes in memory as a file: read, or read at an offset.
type heldBytes struct{ *bytes.Reader }

func (heldBytes) Close() error { return nil }

// Stream is a stream read once, as it comes (stdin): a capture streams
// whatever its size, and its webhook deliveries are not read (they need a
// second pass; SpoolStdin keeps stdin for one).
func Stream(name string, r io.Reader) Source {
	return Source{Name: name, once: true, Open: func() (io.ReadCloser, int64, error) {
		return io.NopCloser(r), 0, nil
	}}
}

// FileError is the error of opening or reading a file without the path the
// message already names: "no such file", else the system's reason.
func FileError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("no such file")
		}
		return pe.Err
	}
	return err
}

// Input is an opened source: a capture being read, or one text request.
type Input struct {
	// Name is the source's.
	Name string
	// HAR reads the capture (nil for text).
	HAR *Reader
	// Text is the text request, parsed (nil for a capture); for webhook
	// deliveries, the first one's request.
	Text *inspect.Parsed
	// Size is the source's size in bytes (0: unknown).
	Size int64
	src  Source
	rc   io.ReadCloser
	read *countingReader
	// hooks is set when an entry may be a webhook delivery (both modes
	// of the reader keep the headers that tell one).
	hooks bool
	// deliveries are a text input's webhook deliveries (nil: a request).
	deliveries []*webhook.Delivery
	// texts are the requests Analyze judges of a text input: Text, or each
	// delivery's.
	texts []*inspect.Parsed
}

// countingReader counts the bytes read, for a progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64 // read while the reader runs on another goroutine
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Open opens a source and tells a capture from text by its first bytes
// (Sniff): a capture (.har, .har.gz, any name) is read as it streams with
// o; text is read whole, up to MaxText, and parsed. Every error names the
// source ("NAME: what is wrong"), and an Input that is returned must be
// closed.
func Open(src Source, o Options) (*Input, error) {
	rc, size, err := src.Open()
	if err != nil {
		if errors.Is(err, errFolder) {
			return nil, fmt.Errorf("%s %w", src.Name, err)
		}
		return nil, fmt.Errorf("%s: %w", src.Name, err)
	}
	in := &Input{Name: src.Name, Size: size, src: src, rc: rc, read: &countingReader{r: rc}}
	br := bufio.NewReaderSize(in.read, 64<<10)
	head, _ := br.Peek(4096)
	if Sniff(head) {
		if in.HAR, err = NewReader(br, o); err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: %w", src.Name, err)
		}
		return in, nil
	}
	data, err := io.ReadAll(io.LimitReader(br, MaxText+1))
	rc.Close()
	in.rc = nil
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name, err)
	}
	if len(data) > MaxText {
		return nil, fmt.Errorf("%s: text input over %d MB; a capture should be a .har file", src.Name, MaxText>>20)
	}
	// Webhook deliveries (a raw request with svix-* headers, clerk CLI
	// lines, a JSON {headers, body}) open as deliveries whose requests are
	// judged too; Webhooks judges the deliveries.
	in.deliveries = webhook.Detect(data)
	in.Text, err = inspect.ParseInput(string(data))
	switch {
	case in.deliveries != nil:
		if err != nil {
			in.Text = nil
		}
		in.texts = deliveryRequests(in.deliveries, in.Text)
		in.Text = in.texts[0]
	case err != nil:
		return nil, fmt.Errorf("%s: %w", src.Name, err)
	default:
		in.texts = []*inspect.Parsed{in.Text}
	}
	return in, nil
}

// Read is how many bytes of the source have been read so far.
func (in *Input) Read() int64 { return in.read.n.Load() }

// Close releases the capture's reader and the source.
func (in *Input) Close() error {
	if in.HAR != nil {
		in.HAR.Close()
	}
	if in.rc != nil {
		err := in.rc.Close()
		in.rc = nil
		return err
	}
	return nil
}

// Analysis is how Analyze judges an input.
type Analysis struct {
	Setup *inspect.Setup
	// Prepare edits a text request before it is judged (explain's --url
	// and -H, the paste screen's choices); its error is returned as is.
	Prepare func(*inspect.Parsed) error
	// Now is the clock of a text request that carries none, unless Setup
	// sets one (zero: the time Analyze runs).
	Now time.Time
}

// Analyze judges every request of in into sink: a capture entry by entry
// as it is read (decoding and judging overlap; sink.Write gets each entry
// as soon as it is judged, in order), a text request as one pasted entry
// with its diagnosis and notes (AddPasted). It returns the capture's story
// and the error that stopped the read (a capture cut short still has a
// story of the entries before the break; one that could not be read at all
// has none), or for text Prepare's error. The caller closes sink and in.
func Analyze(ctx context.Context, in *Input, a Analysis, sink Sink) (*Story, error) {
	if in.HAR == nil {
		now := a.Now
		if now.IsZero() {
			now = time.Now()
		}
		// One entry, or one per webhook delivery (the first's diagnosis
		// stands for all: the deliveries' causes are Webhooks').
		for i, p := range in.texts {
			if a.Prepare != nil {
				if err := a.Prepare(p); err != nil {
					return nil, err
				}
			}
			j := JudgePasted(ctx, a.Setup, p, now)
			sink.Write(j)
			if i == 0 {
				sink.AddPasted(DiagnoseRequest(j, a.Setup), p.Notes)
			}
		}
		return nil, nil
	}
	an := NewAnalyzer(a.Setup)
	an.TellAside()
	defer an.Settle()
	readErr := Each(ctx, in.HAR, func(e *Entry) {
		if !in.hooks {
			in.hooks = e.MaybeWebhook()
		}
		for _, j := range an.Add(ctx, e) {
			sink.Write(j)
		}
	})
	for _, j := range an.Flush(ctx) {
		sink.Write(j)
	}
	var te *TruncatedError
	if readErr != nil && in.HAR.Count() == 0 && !errors.As(readErr, &te) {
		return nil, readErr
	}
	return an.Finish(in.HAR.Log()), readErr
}

// JudgePasted judges one pasted or piped request, as the SDK would at now
// (unless the setup or the input carries a clock): a document entry
// outside any capture, with the Set-Cookie lines it was given.
func JudgePasted(ctx context.Context, setup *inspect.Setup, p *inspect.Parsed, now time.Time) *Judged {
	req, res := setup.JudgeText(ctx, p, now)
	return &Judged{Class: ClassDocument, Request: req, Result: res, Judged: true, Pasted: p.SetCookies}
}

// MaybeWebhook reports whether an entry may be a webhook delivery: a POST
// with a svix-* or webhook-* header, as webhook.Parse picks them from a
// HAR.
func (e *Entry) MaybeWebhook() bool {
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

// Webhooks judges the webhook deliveries of a capture (or of a text input
// that is deliveries), after Analyze, as
// verifyWebhook would with secret, at each entry's time (the setup's clock
// wins; now for a delivery without one); nil when it has none. The HAR
// reader skips request bodies, so the source is read again, and only when
// an entry looked like a delivery (Entry.MaybeWebhook, in a Lean read as
// in a full one). A stream is not read again: nil. The error says why the
// deliveries could not be read.
func (in *Input) Webhooks(setup *inspect.Setup, secret string, now time.Time) (*webhook.Report, error) {
	var at time.Time
	if setup.Now != nil {
		at = *setup.Now
	}
	if in.deliveries != nil {
		return newHookReport(in.deliveries, setup, secret, at, now), nil
	}
	if in.HAR == nil || in.src.once || !in.hooks {
		return nil, nil
	}
	rc, _, err := in.src.Open()
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries not read: %w", err)
	}
	br := bufio.NewReaderSize(rc, 64<<10)
	defer rc.Close()
	ds, err := webhook.Parse(br)
	if errors.Is(err, webhook.ErrNoDelivery) || err == nil && len(ds) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, errors.New("webhook deliveries not read: " + webhook.RedactText(err.Error()))
	}
	return newHookReport(ds, setup, secret, at, now), nil
}

// SpoolStdin copies a pipe (which cannot be read twice or seeked) to a file
// only this user can read, named "stdin" in a folder of its own, whatever
// its size, so that it can be opened as a File; cleanup removes both.
func SpoolStdin(stdin io.Reader) (path string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "clerkscope-")
	if err != nil {
		return "", nil, fmt.Errorf("stdin: no temporary folder to hold it: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, "stdin")
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("stdin: %w", err)
	}
	_, err = io.Copy(file, stdin)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("stdin: %w", err)
	}
	return path, cleanup, nil
}
