package ui

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
)

// rows200k builds a 200 000-request capture in memory (the shape of a big
// HAR: a few Clerk pages among many assets and API calls).
func rows200k(b *testing.B) *capture {
	c := &common{styles: defaultStyles(true), keys: defaultKeyMap(), width: 120, height: 40}
	m := newCapture(c, "big")
	m.SetSize(120, 37)
	setup := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}}
	var js []*har.Judged
	for i := 0; i < 200000; i++ {
		e := &har.Entry{Index: i, StartedDateTime: time.Unix(1767225600+int64(i), 0)}
		e.Request.Method = "GET"
		switch i % 10 {
		case 0:
			e.Request.URL = fmt.Sprintf("https://example.com/dashboard/%d", i)
			e.Request.Headers = []har.Header{{Name: "sec-fetch-dest", Value: "document"}, {Name: "cookie", Value: "__client_uat=1767222000"}}
		case 1, 2, 3:
			e.Request.URL = fmt.Sprintf("https://example.com/api/items/%d?page=%d", i, i%7)
			e.Request.Headers = []har.Header{{Name: "sec-fetch-dest", Value: "empty"}}
		default:
			e.Request.URL = fmt.Sprintf("https://example.com/static/chunk-%d.js", i)
			e.Request.Headers = []har.Header{{Name: "sec-fetch-dest", Value: "script"}}
		}
		e.Response.Status = 200
		req := e.ToRequest()
		js = append(js, &har.Judged{Entry: e, Class: har.ClassFetch, Request: req, Judged: true, Result: setup.Judge(context.Background(), req, e.StartedDateTime, nil)})
	}
	m.addRows(js)
	m.finish(nil, nil, nil)
	return m
}

// BenchmarkFilter is one keystroke of the / filter over 200 000 rows:
// refiltering and drawing the screen (target: under 16 ms).
func BenchmarkFilter(b *testing.B) {
	m := rows200k(b)
	m.filtering = true
	m.filter.Focus()
	keys := []rune("api/items/4")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := keys[i%len(keys)]
		if i%len(keys) == 0 {
			m.filter.SetValue("")
		}
		m.Update(tea.KeyPressMsg{Code: k, Text: string(k)})
		_ = m.View()
	}
}

// BenchmarkFirstRows measures how long a big capture takes to show its
// first rows (CLERKSCOPE_BIGHAR=path to a bighar file).
func BenchmarkFirstRows(b *testing.B) {
	p := os.Getenv("CLERKSCOPE_BIGHAR")
	if p == "" {
		p = "../testdata/har/b-expired-handshake.har"
	}
	setup := &inspect.Setup{}
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		msg := loadCmd(ctx, 1, loadJob{setup: setup, name: "big", src: fileOpener(p), now: time.Now()})().(loadStartedMsg)
		first := <-msg.ch
		if len(first.rows) == 0 && first.err != nil {
			b.Fatal(first.err)
		}
		cancel()
		for range msg.ch {
		}
	}
}

// bigHAR is the capture the load benchmarks read: CLERKSCOPE_BIGHAR, else
// a small one of testdata.
func bigHAR() string {
	if p := os.Getenv("CLERKSCOPE_BIGHAR"); p != "" {
		return p
	}
	return "../testdata/har/b-expired-handshake.har"
}

// loadCapture reads the capture at p into a capture view as the dashboard
// does, batch by batch, and says how long its first rows took.
func loadCapture(b *testing.B, p string) (*capture, time.Duration) {
	c := &common{styles: defaultStyles(true), keys: defaultKeyMap(), width: 120, height: 40}
	m := newCapture(c, "big")
	m.SetSize(120, 37)
	src := fileOpener(p)
	m.store.src = newEntrySource(src, loadOptions(0))
	start := time.Now()
	msg := loadCmd(context.Background(), 1, loadJob{setup: &inspect.Setup{}, name: "big", src: src, now: time.Now(), store: m.store})().(loadStartedMsg)
	var first time.Duration
	for bm := range msg.ch {
		if bm.err != nil {
			b.Fatal(bm.err)
		}
		m.Update(bm)
		if first == 0 && len(m.rows) > 0 {
			_ = m.View()
			first = time.Since(start)
		}
	}
	return m, first
}

// BenchmarkLoad reads a whole capture into the list (CLERKSCOPE_BIGHAR=path
// to a bighar file): the time to the first rows drawn, to the capture fully
// read, and the heap the rows hold once read (targets on the 1 GB file:
// under 1 s, under 4 s, and a peak RSS of the process, /usr/bin/time -v,
// of at most 64 MB).
func BenchmarkLoad(b *testing.B) {
	p := bigHAR()
	for b.Loop() {
		start := time.Now()
		m, first := loadCapture(b, p)
		total := time.Since(start)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(first.Milliseconds()), "first-ms")
		b.ReportMetric(float64(total.Milliseconds()), "loaded-ms")
		b.ReportMetric(float64(len(m.rows)), "rows")
		b.ReportMetric(float64(ms.HeapAlloc)/float64(len(m.rows)), "heap-B/row")
		runtime.KeepAlive(m)
	}
}

// BenchmarkOpenTabs opens a row's tabs, each laid out anew, on a row near
// the end of a capture read whole (its entry is read again from the file
// at each open; target: 50 ms).
func BenchmarkOpenTabs(b *testing.B) {
	m, _ := loadCapture(b, bigHAR())
	m.clerkOnly = false
	m.refilter(false)
	rows := []*row{m.rows[len(m.rows)-1], m.rows[len(m.rows)/2], m.rows[0]}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := rows[i%len(rows)]
		r.judged() // as readEntryCmd reads it for the tabs
		for t := tab(0); t < tabCount; t++ {
			m.tabOf(t).Show(r, true)
			m.tabOf(t).Show(nil, true)
		}
	}
}
