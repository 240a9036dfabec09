package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/clerkscope/clerkscope/bapi"
	"github.com/clerkscope/clerkscope/inspect"
)

// This file wires the Backend API: the client's configuration from the
// environment, `clerkscope lookup`, and the lookups of explain --lookup.

// bapiTimeout bounds each Backend API attempt (tests shorten it).
var bapiTimeout = 10 * time.Second

// bapiConfig is the Backend API client's configuration for one run: its
// notices (Retry-After waits, endpoints given up) go to stderr, one line
// each.
func bapiConfig(key, apiURL string, stderr io.Writer) bapi.Config {
	var mu sync.Mutex
	return bapi.Config{
		SecretKey:  key,
		BaseURL:    apiURL,
		AllowHTTP:  envTrue(bapi.AllowHTTPEnv),
		APIVersion: apiVersion(),
		UserAgent:  readBuild().userAgent(),
		Timeout:    bapiTimeout,
		OnNotice: func(n bapi.Notice) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stderr, "clerkscope: %s\n", oneLine(n.String()))
		},
	}
}

// envTrue reads a yes/no environment variable.
func envTrue(name string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// newLooker builds Backend API lookups from the secret key, on the run's
// client when the setup already made one (for the JWKS), so that the
// run's budget is one.
func newLooker(setup *inspect.Setup, stderr io.Writer) (*bapi.Looker, error) {
	if b, ok := setup.Backend.(*bapi.Backend); ok {
		return bapi.NewLooker(b.Client(), 0), nil
	}
	key := setup.Options.SecretKey
	if key == "" {
		return nil, errors.New("--lookup needs the instance's secret key: set CLERK_SECRET_KEY")
	}
	c, err := bapi.New(bapiConfig(key, setup.Options.APIURL, stderr))
	if err != nil {
		return nil, err
	}
	return bapi.NewLooker(c, 0), nil
}

// runLookup is `clerkscope lookup QUERY`.
func runLookup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON")
	records := fs.Bool("records", false, "with --json: the records as the Backend API returned them")
	by := fs.String("by", "", "how to read the query")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"lookup takes one query: user_…, sess_…, org_… (or a slug), client_…, an email, a phone number, a username, an external id or free text"}
	}
	if *records && !*asJSON {
		return &usageError{"--records goes with --json"}
	}
	c, err := bapi.New(bapiConfig(os.Getenv("CLERK_SECRET_KEY"), os.Getenv("CLERK_API_URL"), stderr))
	if err != nil {
		return err
	}
	return bapi.PrintLookup(ctx, c, bapi.Query{Text: pos[0], By: *by, Records: *records, At: time.Now()}, *asJSON, stdout)
}

// dashboardNotices takes the Backend API's notices over from stderr (a
// line there would land in the middle of the dashboard): the dashboard
// shows them in its status line. A notice is dropped rather than block a
// lookup when the dashboard is behind.
func dashboardNotices(looker *bapi.Looker) <-chan bapi.Notice {
	if looker == nil {
		return nil
	}
	ch := make(chan bapi.Notice, 16)
	looker.Client().SetNotice(func(n bapi.Notice) {
		select {
		case ch <- n:
		default:
		}
	})
	return ch
}
