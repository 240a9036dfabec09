package har

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// Sink is an output format: it takes judged requests as they come, the
// diagnosis of a pasted request, then the capture's story at the end.
type Sink interface {
	Write(j *Judged)
	// AddPasted adds the diagnosis and input notes of a pasted request.
	AddPasted(diag []Diagnosis, notes []string)
	Close(story *Story, readErr error) error
}

// AddPasted implements Sink.
func (jw *JSONWriter) AddPasted(diag []Diagnosis, notes []string) {
	jw.Diagnosis = append(jw.Diagnosis, diag...)
	jw.Notes = append(jw.Notes, notes...)
}

// AddPasted implements Sink.
func (tw *TextWriter) AddPasted(diag []Diagnosis, notes []string) {
	tw.Diagnosis = append(tw.Diagnosis, diag...)
	tw.Notes = append(tw.Notes, notes...)
}

// Extra attaches more data to a request's JSON (Backend API lookups).
type Extra func(j *Judged) map[string]any

// JSONWriter streams explain --json: requests are written as they are
// judged, so memory stays flat however big the capture is. What it writes
// is escaped for a terminal as a JSON sanitizer escapes it, whatever w is;
// given one (inspect.NewJSONSanitizer), it writes past its scan.
//
//	{"requests": [...], "instance": {...}, "findings": [...], "story": {...}}
type JSONWriter struct {
	w     *bufio.Writer
	o     RenderOptions
	all   bool
	n     int
	first *inspect.Instance
	Extra Extra
	// Diagnosis and Notes are written at the end for a pasted request
	// (a capture's diagnosis comes with its story).
	Diagnosis []Diagnosis
	Notes     []string
	err       error
	enc       jsonEncoder
	buf       []byte
	// queue hands the requests to the goroutine that encodes and writes
	// them (started by the first Write), so that a capture's judging and
	// its output use both cores, in batches of jsonBatch (one channel
	// send each; batch is the one being filled); done is closed when it
	// has written them.
	queue chan []*Judged
	batch []*Judged
	done  chan struct{}
	// hooks are the input's webhook deliveries (AddWebhooks).
	hooks *webhook.Report
}

// AddWebhooks adds the input's webhook deliveries, judged: the document
// ends with them under "webhooks", as `webhook --json` writes them
// (signatures redacted unless o.Reveal, the secret masked always).
func (jw *JSONWriter) AddWebhooks(r *webhook.Report) { jw.hooks = r }

// NewJSONWriter starts the JSON document.
func NewJSONWriter(w io.Writer, o RenderOptions, all bool) *JSONWriter {
	jw := &JSONWriter{w: bufio.NewWriterSize(inspect.PreEscaped(w), 256<<10), o: o, all: all}
	_, jw.err = jw.w.WriteString("{\"requests\": [")
	return jw
}

// Write adds one judged entry (Frontend API entries only with all). The
// entry is encoded and written on the writer's own goroutine; Close waits
// for it. j must not change once written.
func (jw *JSONWriter) Write(j *Judged) {
	if !j.Judged && !jw.all {
		return
	}
	if j.Judged && jw.first == nil {
		inst := j.Result.Verdict.Instance
		jw.first = &inst
	}
	if jw.queue == nil {
		jw.queue, jw.done = make(chan []*Judged, 4), make(chan struct{})
		go jw.drain()
	}
	if jw.batch == nil {
		jw.batch = make([]*Judged, 0, jsonBatch)
	}
	jw.batch = append(jw.batch, j)
	if len(jw.batch) == jsonBatch {
		jw.queue <- jw.batch
		jw.batch = nil
	}
}

// jsonBatch is how many requests Write hands over at once.
const jsonBatch = 64

// drain writes what Write queues, until the queue is closed; after an
// error it only empties the queue.
func (jw *JSONWriter) drain() {
	defer close(jw.done)
	for b := range jw.queue {
		for _, j := range b {
			if jw.err == nil {
				jw.write(j)
			}
		}
	}
}

// wait closes the queue and returns once every request is written.
func (jw *JSONWriter) wait() {
	if jw.queue == nil {
		return
	}
	if len(jw.batch) > 0 {
		jw.queue <- jw.batch
		jw.batch = nil
	}
	close(jw.queue)
	<-jw.done
	jw.queue = nil
}

func (jw *JSONWriter) write(j *Judged) {
	var b []byte
	var err error
	if j.Judged {
		var lookup any
		if jw.Extra != nil {
			if x := jw.Extra(j); x != nil {
				lookup = x["lookup"]
			}
		}
		jw.buf, err = jw.enc.judged(jw.buf[:0], j, lookup, jw.o)
		b = jw.buf
	} else {
		out := map[string]any{"index": j.Entry.Index, "method": j.Entry.Request.Method, "url": jw.o.Text(j.Entry.Request.URL),
			"time": j.Entry.StartedDateTime.UTC().Format(time.RFC3339Nano), "class": j.Class, "status": nil,
			"httpStatus": j.Entry.Response.Status}
		b, err = json.Marshal(out)
		b = inspect.AppendJSONEscaped(nil, b)
	}
	if err != nil {
		jw.err = err
		return
	}
	if jw.n > 0 {
		jw.w.WriteString(",\n  ")
	} else {
		jw.w.WriteString("\n  ")
	}
	jw.w.Write(b)
	jw.n++
}

func indexOf(j *Judged) int {
	if j.Entry == nil {
		return 0
	}
	return j.Entry.Index
}

// Close ends the document with the instance, the findings and the story.
func (jw *JSONWriter) Close(story *Story, readErr error) error {
	jw.wait()
	if jw.err != nil {
		return jw.err
	}
	tail := map[string]any{}
	if jw.first != nil {
		tail["instance"] = jw.first
	} else {
		tail["instance"] = map[string]any{}
	}
	tail["findings"] = []Finding{}
	tail["diagnosis"] = []Diagnosis{}
	if jw.Diagnosis != nil {
		tail["diagnosis"] = jw.Diagnosis
	}
	if story != nil {
		if story.Findings != nil {
			tail["findings"] = story.Findings
		}
		if story.Diagnosis != nil {
			tail["diagnosis"] = story.Diagnosis
		}
		tail["story"] = story
	}
	if readErr != nil {
		tail["error"] = readErr.Error()
	}
	tail["notes"] = append([]string{}, jw.Notes...)
	if jw.hooks != nil {
		tail["webhooks"] = webhook.NewJSON(jw.hooks, webhook.RenderOptions{Reveal: jw.o.Reveal})
	}
	b, err := json.Marshal(tail)
	if err != nil {
		return err
	}
	jw.w.WriteString("\n], ")
	jw.w.Write(inspect.AppendJSONEscaped(nil, b[1:]))
	jw.w.WriteString("\n")
	return jw.w.Flush()
}

// TextWriter prints explain's readable output: the diagnosis first, then
// each request, then the capture's story. The requests are held in a spool
// until the diagnosis (drawn from all of them) is known.
type TextWriter struct {
	final  *bufio.Writer
	body   *spool
	w      *bufio.Writer
	o      RenderOptions
	all    bool
	single bool
	n      int
	Extra  func(w io.Writer, j *Judged)
	// quiet counts the application requests not printed (no Clerk
	// material), by verdict, for the closing summary.
	quiet map[string]int
	// Diagnosis is printed first for a pasted request (a capture's comes
	// with its story); Notes are the input notes.
	Diagnosis []Diagnosis
	Notes     []string
}

// NewTextWriter prints one verdict per judged entry; single is for one
// pasted request (no capture headings).
func NewTextWriter(w io.Writer, o RenderOptions, all, single bool) *TextWriter {
	sp := &spool{}
	return &TextWriter{final: bufio.NewWriter(w), body: sp, w: bufio.NewWriter(sp), o: o, all: all, single: single}
}

// Write prints one entry.
func (tw *TextWriter) Write(j *Judged) {
	if !j.Judged {
		if tw.all {
			fmt.Fprintf(tw.w, "[%d] %s %s  (Frontend API, %d)\n\n", j.Entry.Index, j.Entry.Request.Method, tw.o.Text(j.Entry.Request.URL), j.Entry.Response.Status)
		}
		return
	}
	if j.Entry != nil && !tw.all && !j.ClerkRelevant() {
		if tw.quiet == nil {
			tw.quiet = map[string]int{}
		}
		v := j.Result.Verdict
		tw.quiet[strings.TrimSpace(string(v.Status)+" "+v.Reason)]++
		return
	}
	title := ""
	if j.Entry != nil {
		title = fmt.Sprintf("entry %d · %s · HTTP %d", j.Entry.Index, j.Class, j.Entry.Response.Status)
		if j.Observed.AuthStatus != "" || j.Observed.Agrees != nil {
			said := j.Observed.AuthStatus
			if said == "" {
				said = string(inspect.SignedIn)
			}
			if j.Observed.AuthReason != "" {
				said += " " + j.Observed.AuthReason
			}
			title += " · the server said: " + said
			if j.Observed.Agrees != nil && !*j.Observed.Agrees {
				title += "  ≠ clerkscope's verdict"
			}
		}
	}
	if tw.n > 0 {
		fmt.Fprintln(tw.w, strings.Repeat("─", 72))
	}
	if len(j.Pasted) > 0 {
		fmt.Fprintln(tw.w, "Set-Cookie lines read (the next request would carry the cookies they leave):")
		for _, sc := range j.Pasted {
			fmt.Fprintf(tw.w, "  %s\n", SetCookieSummary(sc, tw.o))
		}
		fmt.Fprintln(tw.w)
	}
	WriteVerdictText(tw.w, title, j.Request, j.Result, tw.o)
	if tw.Extra != nil {
		tw.Extra(tw.w, j)
	}
	tw.n++
}

// Close prints the diagnosis, the requests and the story of a capture.
func (tw *TextWriter) Close(story *Story, readErr error) error {
	if err := tw.w.Flush(); err != nil {
		return err
	}
	diag := tw.Diagnosis
	if story != nil {
		diag = story.Diagnosis
	}
	WriteDiagnosisText(tw.final, diag, tw.Notes, tw.o)
	if err := tw.body.copyTo(tw.final); err != nil {
		return err
	}
	tw.w = tw.final
	if story != nil && !tw.single {
		fmt.Fprintln(tw.w, strings.Repeat("═", 72))
		if len(tw.quiet) > 0 {
			total := 0
			var parts []string
			for k, n := range tw.quiet {
				total += n
				parts = append(parts, fmt.Sprintf("%d %s", n, k))
			}
			sort.Strings(parts)
			fmt.Fprintf(tw.w, "Not shown: %d application requests without Clerk cookies or headers (assets, plain API calls): %s. --all shows them; --json lists every request.\n",
				total, strings.Join(parts, ", "))
		}
		c := story.Counts
		fmt.Fprintf(tw.w, "Capture: %d %s (%d to the application, %d to the Frontend API): %d signed in, %d signed out, %d %s", c.Entries, plural(c.Entries, "entry", "entries"), c.App, c.FAPI, c.SignedIn, c.SignedOut, c.Handshake, plural(c.Handshake, "handshake", "handshakes"))
		if c.Throws > 0 {
			fmt.Fprintf(tw.w, ", %d %s", c.Throws, plural(c.Throws, "configuration error", "configuration errors"))
		}
		if c.Webhooks > 0 {
			fmt.Fprintf(tw.w, "; %s", WebhooksAmong(c.Webhooks))
		}
		fmt.Fprintln(tw.w)
		if story.Log.Creator != "" {
			fmt.Fprintf(tw.w, "Exported by %s %s\n", story.Log.Creator, story.Log.Browser)
		}
		if len(story.Tokens) > 0 {
			fmt.Fprintln(tw.w, "Session tokens:")
			for _, t := range story.Tokens {
				fmt.Fprintf(tw.w, "  [%d] %s via %s: sid %s, iat %s, exp %s (#%s)\n", t.Entry, t.Cookie, t.Source, t.SID,
					unixText(t.IAT), unixText(t.EXP), t.Hash)
			}
		}
		if len(story.ClientUAT) > 0 {
			fmt.Fprintln(tw.w, "__client_uat:")
			for _, u := range story.ClientUAT {
				fmt.Fprintf(tw.w, "  [%d] %s (%s)\n", u.Entry, u.Value, u.Source)
			}
		}
		if len(story.Findings) > 0 {
			fmt.Fprintln(tw.w, "Findings:")
			for _, f := range story.Findings {
				fmt.Fprintf(tw.w, "  %-7s %s", strings.ToUpper(f.Severity), f.Title)
				if len(f.Entries) > 0 {
					fmt.Fprintf(tw.w, "  (%s %s)", plural(len(f.Entries), "entry", "entries"), joinInts(f.Entries))
				}
				fmt.Fprintln(tw.w)
				if f.Detail != "" {
					fmt.Fprintf(tw.w, "          %s\n", f.Detail)
				}
				if f.Next != "" {
					fmt.Fprintf(tw.w, "          Next: %s\n", f.Next)
				}
			}
		}
	}
	if readErr != nil {
		fmt.Fprintf(tw.w, "\nclerkscope: %s\n", readErr)
	}
	return tw.w.Flush()
}

// WriteDiagnosisText prints the Diagnosis block explain opens with.
func WriteDiagnosisText(w io.Writer, diag []Diagnosis, notes []string, o RenderOptions) {
	if len(diag) == 0 && len(notes) == 0 {
		return
	}
	fmt.Fprintln(w, "Diagnosis")
	for i, d := range diag {
		kind := "NORMAL"
		if d.Problem {
			kind = "CAUSE"
		}
		head := fmt.Sprintf("  %d. %s (%s) ", i+1, kind, d.Confidence)
		wrapText(w, head, o.Text(d.Title)+"  ["+d.Code+"]", 100)
		pad := "     "
		wrapText(w, pad+"Why: ", o.Text(d.Why), 100)
		for k, ev := range d.Evidence {
			label := pad + "Seen: "
			if k > 0 {
				label = pad + "      "
			}
			wrapText(w, label, o.Text(ev), 100)
		}
		for k, fx := range d.Fix {
			label := pad + "Fix: "
			if k > 0 {
				label = pad + "     "
			}
			wrapText(w, label, fx, 100)
		}
		if d.Docs != "" {
			fmt.Fprintf(w, "%sDocs: %s\n", pad, d.Docs)
		}
		if len(d.Entries) > 0 {
			fmt.Fprintf(w, "%s%s\n", pad, entriesText(d.Entries))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "  Input notes:")
		for _, n := range notes {
			wrapText(w, "   - ", o.Text(n), 100)
		}
	}
	fmt.Fprintln(w, strings.Repeat("═", 72))
}

// entriesText is "entry 4" or "entries 4, 9, 11".
func entriesText(a []int) string {
	if len(a) == 1 {
		return fmt.Sprintf("entry %d", a[0])
	}
	return "entries " + joinInts(a)
}

func unixText(s int64) string {
	if s == 0 {
		return "-"
	}
	return time.Unix(s, 0).UTC().Format("15:04:05")
}

func joinInts(a []int) string {
	parts := make([]string, len(a))
	for i, n := range a {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

// plural is the word for n things: one for 1, many otherwise.
// WebhooksAmong says how many application entries are webhook
// deliveries, and where they are judged.
func WebhooksAmong(n int) string {
	return fmt.Sprintf("%d of the application's %s webhook %s, which clerkscope webhook verifies", n, plural(n, "is a", "are"), plural(n, "delivery", "deliveries"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// SetCookieSummary is one Set-Cookie directive with its attributes, the
// value redacted unless revealed.
func SetCookieSummary(sc inspect.SetCookie, o RenderOptions) string {
	val := sc.Value
	if !o.Reveal {
		val = inspect.RedactCookieValue(sc.Name, val)
	}
	parts := []string{sc.Name + "=" + val}
	if sc.Domain != "" {
		parts = append(parts, "Domain="+sc.Domain)
	} else {
		parts = append(parts, "host-only")
	}
	if sc.Path != "" {
		parts = append(parts, "Path="+sc.Path)
	}
	switch {
	case sc.MaxAge != nil && *sc.MaxAge <= 0:
		parts = append(parts, "deletes the cookie (Max-Age="+fmt.Sprint(*sc.MaxAge)+")")
	case sc.MaxAge != nil:
		parts = append(parts, fmt.Sprintf("Max-Age=%d", *sc.MaxAge))
	case sc.Expires != nil:
		parts = append(parts, "Expires="+sc.Expires.UTC().Format(time.RFC3339))
	default:
		parts = append(parts, "session cookie")
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{sc.Secure, "Secure"}, {sc.HTTPOnly, "HttpOnly"}, {sc.Partitioned, "Partitioned"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	if sc.SameSite != "" {
		parts = append(parts, "SameSite="+sc.SameSite)
	}
	return strings.Join(parts, "; ")
}
