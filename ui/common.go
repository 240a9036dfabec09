package ui

import (
	"context"
	"time"

	"github.com/clerkscope/clerkscope/bapi"
	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
)

// Config is what the dashboard needs from the command line.
type Config struct {
	Setup  *inspect.Setup
	Looker *bapi.Looker
	// Notices are the Backend API's notices (Retry-After waits, endpoints
	// given up for the run), shown in the status line.
	Notices <-chan bapi.Notice
	// Path is a HAR or text file to open (main spools piped input to a
	// file first, so the dashboard opens every input by its path).
	Path string
	// Reveal starts with secrets shown.
	Reveal bool
	// Now is the clock (tests pin it).
	Now func() time.Time
	// ReportDir is where r writes reports (default: the working folder).
	ReportDir string
	// CopyDir is where a copy is saved when there is no system clipboard
	// (default: clerkscope's folder in the user's cache folder).
	CopyDir string
	// Prepare applies --url and -H to a pasted or piped request, as
	// explain does; URL and Dest (the Sec-Fetch-Dest of -H) are what the
	// paste screen's fields start with.
	Prepare func(*inspect.Parsed) error
	URL     string
	Dest    string
	// ParseTime reads the paste screen's clock as --now reads it (default:
	// RFC 3339).
	ParseTime func(string) (time.Time, error)
	// WebhookSecret verifies the webhook deliveries of a capture
	// (--webhook-secret or CLERK_WEBHOOK_SIGNING_SECRET); never shown.
	WebhookSecret string
	// MaxValue caps each value read from a capture (--max-value; see
	// har.Options).
	MaxValue int64
}

// common is the state every component shares: size, styles, keys, clock
// and the judging setup. It is passed in, never global.
type common struct {
	// ctx ends with the program: lookups started from the dashboard stop
	// when it quits.
	ctx           context.Context
	width, height int
	styles        styles
	keys          keyMap
	cfg           Config
	reveal        bool
	// expand shows tokens whole; folded counts the tokens the last
	// rendered tab folded, so that it can say how to expand them.
	expand bool
	folded int
	// look counts the changes of what every page depends on (secrets
	// shown, tokens folded, the styles): the tabs lay their pages out
	// again when it moves.
	look int
	// pasteWait is how long the paste box holds an enter or a tab (tests
	// set 0: no timer).
	pasteWait time.Duration
}

func (c *common) parseTime(s string) (time.Time, error) {
	if c.cfg.ParseTime != nil {
		return c.cfg.ParseTime(s)
	}
	return time.Parse(time.RFC3339, s)
}

// fold is captured text with its long tokens folded (unless expanded).
func (c *common) fold(s string) string {
	if c.expand {
		return s
	}
	out, folded := foldJWTs(s)
	if folded {
		c.folded++
	}
	return out
}

func (c *common) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// text is captured text as the dashboard shows it: redacted unless secrets
// are shown, safe (see safe), its long tokens folded unless expanded.
func (c *common) text(s string) string {
	return c.fold(safe(har.RenderOptions{Reveal: c.reveal}.Text(s)))
}

// safe is captured data (or a Backend API record) with its terminal
// controls shown escaped, so that it cannot style, move or clear anything.
// It is applied to the data before any style of ours, never to a rendered
// view.
func safe(s string) string { return inspect.Sanitize(s) }
