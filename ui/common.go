package ui

import (
	"context"
	"io"
	"time"

	"clerkscope/bapi"
	"clerkscope/inspect"
)

// Config is what the dashboard needs from the command line.
type Config struct {
	Setup  *inspect.Setup
	Looker *bapi.Looker
	// Notices are the Backend API's notices (Retry-After waits, endpoints
	// given up for the run), shown in the status line.
	Notices <-chan bapi.Notice
	// Path is a HAR or text file to open ("-" with Stdin).
	Path  string
	Stdin []byte
	// Reveal starts with secrets shown.
	Reveal  bool
	Version string
	// ReportTo writes the redacted Markdown report of a file.
	ReportTo func(w io.Writer, path string) error
	// Now is the clock (tests pin it).
	Now func() time.Time
	// ReportDir is where r writes reports (default: the working folder).
	ReportDir string
	// CopyDir is where a copy is saved when there is no system clipboard
	// (default: the system's temporary folder).
	CopyDir string
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
}

func (c *common) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// text is captured text as the dashboard shows it: redacted unless secrets
// are shown, and safe (see safe).
func (c *common) text(s string) string {
	if c.reveal {
		return safe(s)
	}
	return safe(inspect.RedactText(s))
}

// safe is captured data (or a Backend API record) with its terminal
// controls shown escaped, so that it cannot style, move or clear anything.
// It is applied to the data before any style of ours, never to a rendered
// view.
func safe(s string) string { return inspect.Sanitize(s) }
