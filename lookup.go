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

	"clerkscope/bapi"
	"clerkscope/inspect"
)

// This file wires the Backend API: the client's configuration from the
// environment, `clerkscope lookup`, and the lookups of explain --lookup.

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
		Timeout:    10 * time.Second,
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

func writeLookupText(w io.Writer, lk *bapi.Lookup) {
	if lk == nil {
		return
	}
	fmt.Fprintln(w, "  Backend API:")
	if u := lk.User; u != nil {
		fmt.Fprintf(w, "    User:         %s %s <%s>", u.ID, u.Name(), u.PrimaryEmail())
		var flags []string
		if u.Banned {
			flags = append(flags, "BANNED")
		}
		if u.Locked {
			flags = append(flags, "LOCKED")
		}
		if u.TwoFactorEnabled {
			flags = append(flags, "2FA")
		}
		if len(flags) > 0 {
			fmt.Fprintf(w, " [%s]", strings.Join(flags, ", "))
		}
		fmt.Fprintln(w)
	}
	if s := lk.Session; s != nil {
		fmt.Fprintf(w, "    Session:      %s %s, last active %s, expires %s\n", s.ID, strings.ToUpper(s.Status), fmtTime(s.LastActiveAt.Time), fmtTime(s.ExpireAt.Time))
	}
	if o := lk.Organization; o != nil {
		fmt.Fprintf(w, "    Organization: %s %s (%s)\n", o.ID, o.Name, o.Slug)
	}
	if m := lk.Membership; m != nil {
		fmt.Fprintf(w, "    Membership:   %s, %d permissions\n", m.Role, len(m.Permissions))
	}
	for _, d := range lk.Discrepancies {
		fmt.Fprintf(w, "    ! %s\n", d.Text)
	}
	for _, e := range lk.Errors {
		fmt.Fprintf(w, "    error: %s\n", e)
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// runLookup is `clerkscope lookup ID`.
func runLookup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "raw JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"lookup takes one id: user_…, sess_…, org_… (or an organization slug), client_…"}
	}
	c, err := bapi.New(bapiConfig(os.Getenv("CLERK_SECRET_KEY"), os.Getenv("CLERK_API_URL"), stderr))
	if err != nil {
		return err
	}
	return bapi.PrintLookup(ctx, c, pos[0], *asJSON, stdout)
}
