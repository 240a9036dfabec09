package ui

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
)

// rows50k builds a 50 000-request capture in memory (the shape of a big
// HAR: a few Clerk pages among many assets and API calls).
func rows50k(b *testing.B) *capture {
	c := &common{styles: defaultStyles(true), keys: defaultKeyMap(), width: 120, height: 40}
	m := newCapture(c, "big")
	m.SetSize(120, 37)
	setup := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"}}
	var js []*har.Judged
	for i := 0; i < 50000; i++ {
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

// BenchmarkFilter is one keystroke of the / filter over 50 000 rows:
// refiltering and drawing the screen (target: under 16 ms).
func BenchmarkFilter(b *testing.B) {
	m := rows50k(b)
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
