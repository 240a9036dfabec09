package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/bapi"
	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// runWebhook is `clerkscope webhook`: every delivery of each input judged
// as verifyWebhook would, with the cause of a failure and the story across
// deliveries.
func runWebhook(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	secret := fs.String("webhook-secret", "", "the endpoint's signing secret")
	nowFlag := fs.String("now", "", "server clock")
	reveal := fs.Bool("reveal", false, "show signatures")
	lookup := fs.Bool("lookup", false, "Backend API records of the events' ids")
	// The app's instance, to compare with each event's instance_id.
	var app judgeFlags
	fs.StringVar(&app.instance, "instance", "", "a named instance (clerkscope config)")
	fs.StringVar(&app.pk, "publishable-key", "", "publishable key")
	fs.StringVar(&app.jwks, "jwks", "", "JWKS file")
	fs.StringVar(&app.config, "config", "", "options JSON file")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if pos, err = inputsOrStdin(pos, stdin, "webhook needs an input: a raw request or headers and body, a HAR, clerk CLI lines or a JSON delivery, or text piped on stdin"); err != nil {
		return err
	}
	var at time.Time
	if *nowFlag != "" {
		if at, err = parseNow(*nowFlag); err != nil {
			return &usageError{err.Error()}
		}
	}
	s := *secret
	if s == "" {
		s = os.Getenv(webhook.EnvSigningSecret)
	}
	setup, err := app.setup(stderr)
	if err != nil {
		return err
	}
	var ds []*webhook.Delivery
	var notes []string
	for _, p := range pos {
		if err := ctx.Err(); err != nil {
			return err
		}
		got, err := readDeliveries(p, stdin)
		if err != nil {
			return err
		}
		ds = append(ds, got...)
	}
	rep := webhook.NewReport(ds, s, at, time.Now())
	if s == "" {
		for _, d := range ds {
			if d.Secret != "" {
				notes = append(notes, "the input carries its own secret ("+webhook.MaskSecret(d.Secret)+"); --webhook-secret or "+webhook.EnvSigningSecret+" would win over it")
				break
			}
		}
	}
	if at.IsZero() {
		for _, d := range ds {
			if d.Received.IsZero() {
				notes = append(notes, "the input does not say when a delivery arrived: it was judged at the current time (give --now to judge it when it arrived)")
				break
			}
		}
	}
	instance := webhook.AppOf(setup)
	if *lookup {
		c, err := bapi.New(bapiConfig(setup.Options.SecretKey, setup.Options.APIURL, stderr))
		if err != nil {
			return err
		}
		webhook.Lookup(ctx, bapiFinder(bapi.NewLooker(c, 4)), rep.Judged)
		// The secret key's instance is the app's, exactly.
		if in, err := c.Instance(ctx); err == nil && in.ID != "" {
			instance.ID, instance.From = in.ID, "the secret key's instance (Backend API /v1/instance)"
			if in.EnvironmentType != "" {
				instance.Type, instance.TypeFrom = in.EnvironmentType, "the Backend API"
			}
		} else if err != nil {
			notes = append(notes, "the secret key's instance was not read from the Backend API, to compare with the events' instance_id: "+oneLine(err.Error()))
		}
	}
	rep.CompareInstance(instance)
	rep.Notes = notes
	o := webhook.RenderOptions{Reveal: *reveal}
	// What the delivery carried is made safe for a terminal (as explain
	// does); close the sanitizer after the buffer is flushed.
	safe := safeOutput(stdout, *asJSON)
	defer safe.Close()
	w := bufio.NewWriter(safe)
	defer w.Flush()
	if *asJSON {
		return webhook.WriteJSON(w, rep, o)
	}
	return webhook.WriteText(w, rep, o)
}

// bapiFinder adapts the Backend API to webhook.Lookup: a 404 is "no such
// record".
func bapiFinder(l *bapi.Looker) webhook.Finder {
	return func(ctx context.Context, kind, id string) (bool, string, error) {
		var summary string
		var err error
		switch kind {
		case "user":
			var u *bapi.User
			if u, err = l.User(ctx, id); err == nil {
				summary = strings.TrimSpace(deref(u.FirstName) + " " + deref(u.LastName))
				if u.Banned {
					summary += " (banned)"
				}
			}
		case "session":
			var s *bapi.Session
			if s, err = l.Session(ctx, id); err == nil {
				summary = s.Status
			}
		case "organization":
			var o *bapi.Organization
			if o, err = l.Organization(ctx, id); err == nil {
				summary = o.Name
			}
		default:
			return false, "", fmt.Errorf("no lookup for %s ids", kind)
		}
		var be *bapi.Error
		if errors.As(err, &be) && be.NotFound() {
			return false, "", nil
		}
		if err != nil {
			return false, "", err
		}
		return true, summary, nil
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// readDeliveries reads one input ("-" for stdin).
func readDeliveries(path string, stdin io.Reader) ([]*webhook.Delivery, error) {
	r, name := stdin, "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, har.FileError(err))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a folder: give a file with a webhook delivery", path)
		}
		r, name = f, path
	}
	ds, err := webhook.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, webhook.RedactText(err.Error()))
	}
	return ds, nil
}

// signingSecret is the signing secret of a capture's webhook deliveries:
// the flag, else CLERK_WEBHOOK_SIGNING_SECRET.
func signingSecret(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(webhook.EnvSigningSecret)
}

// dropFlag removes a string flag and its value from args (for a command
// that does not take it).
func dropFlag(args []string, name string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		bare := strings.TrimLeft(a, "-")
		switch {
		case len(bare) < len(a) && bare == name:
			i++ // and its value
		case len(bare) < len(a) && strings.HasPrefix(bare, name+"="):
		default:
			out = append(out, a)
		}
	}
	return out
}
