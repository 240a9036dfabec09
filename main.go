// Command clerkscope explains why a request to an app using Clerk looks
// signed in, signed out or bounces through a handshake, exactly as Clerk's
// server SDK decides it. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/bapi"
	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
	"github.com/clerkscope/clerkscope/ui"

	"github.com/charmbracelet/x/term"
)

// version, when set at build time with -ldflags "-X main.version=…",
// replaces the module version the go command stamps into the binary.
var version string

// build is what the binary knows of its own build.
type build struct {
	version  string // the module version, "(devel)" when unknown
	revision string // the VCS revision, shortened
	dirty    bool   // built from a work tree with uncommitted changes
}

// readBuild reads the build information of the running binary.
func readBuild() build {
	info, _ := debug.ReadBuildInfo()
	b := buildOf(info)
	if version != "" {
		b.version = version
	}
	return b
}

// buildOf reads the module version and the vcs.revision and vcs.modified
// settings the go command records (none with -buildvcs=false or go
// install of a module version, which carries its version instead).
func buildOf(info *debug.BuildInfo) build {
	b := build{version: "(devel)"}
	if info == nil {
		return b
	}
	if v := info.Main.Version; v != "" {
		b.version = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
			if len(b.revision) > 12 {
				b.revision = b.revision[:12]
			}
		case "vcs.modified":
			b.dirty = s.Value == "true"
		}
	}
	return b
}

// String is the version as clerkscope version prints it: "v1.2.0",
// "(devel) 21f72c9abcde+dirty".
func (b build) String() string {
	if m := b.mark(); m != "" {
		return b.version + " " + m
	}
	return b.version
}

// mark is the revision and the dirty flag ("21f72c9abcde+dirty"), empty
// when the version already holds them, as a pseudo-version does.
func (b build) mark() string {
	var m string
	if b.revision != "" && !strings.Contains(b.version, b.revision) {
		m = b.revision
	}
	if b.dirty && !strings.HasSuffix(b.version, "+dirty") {
		m += "+dirty"
	}
	return m
}

// userAgent is the Backend API client's User-Agent: the same version as a
// product token ("(devel)" as "devel"), then the mark and Go's version.
func (b build) userAgent() string {
	comment := runtime.Version()
	if m := b.mark(); m != "" {
		comment = m + "; " + comment
	}
	return "github.com/clerkscope/clerkscope/" + strings.Trim(b.version, "()") + " (" + comment + ")"
}

// Exit codes.
const (
	exitOK    = 0
	exitInput = 1
	exitUsage = 2
)

// usageError is bad usage: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// helpRequested is -h or --help: the command's usage on stdout, exit 0.
type helpRequested struct{ usage string }

func (h *helpRequested) Error() string { return "help requested" }

func main() {
	ctx, stop := signalContext()
	defer stop()
	code := profiled(os.Args[1:], os.Stderr, func(args []string) int { return run(ctx, args, os.Stdin, os.Stdout, os.Stderr) })
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	// Errors quote input: stderr is sanitised like every other output.
	safeErr := inspect.NewSanitizer(stderr)
	defer safeErr.Close()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "clerkscope: internal error: %v (please report it with the input that caused it)\n", r)
			code = exitInput
		}
	}()
	// A signal (or a cancelled context) ends every mode the same way: one
	// line, exit 128 + the signal's number.
	defer func() {
		if ctx.Err() != nil {
			code = reportInterruption(ctx, safeErr)
		}
	}()
	stdin, stdout, stderr = &ctxReader{ctx: ctx, r: stdin}, quietWriter{ctx, stdout}, quietWriter{ctx, safeErr}
	if len(args) > 0 {
		switch args[0] {
		case "explain":
			return report(runExplain(ctx, args[1:], stdin, stdout, stderr), stdout, stderr)
		case "report":
			return report(runReport(ctx, args[1:], stdin, stdout, stderr), stdout, stderr)
		case "lookup":
			return report(runLookup(ctx, args[1:], stdout, stderr), stdout, stderr)
		case "webhook":
			return report(runWebhook(ctx, args[1:], stdin, stdout, stderr), stdout, stderr)
		case "completion":
			return report(runCompletion(args[1:], stdout), stdout, stderr)
		case "config":
			return report(runConfig(args[1:], stdout), stdout, stderr)
		case "version", "--version", "-v":
			fmt.Fprintln(stdout, "clerkscope", readBuild(), "(verdicts of @clerk/backend 3.25.0)")
			return exitOK
		case "help", "-h", "--help":
			name := ""
			if len(args) > 1 {
				name = args[1]
			}
			fmt.Fprint(stdout, commandUsage(name))
			return exitOK
		}
	}
	return report(runDashboard(ctx, args, stdin, stdout, stderr), stdout, stderr)
}

// report turns a command's error into the exit status and prints it once:
// the command's usage on stdout for -h, nothing more for an error the
// command has already printed, one line on stderr otherwise.
func report(err error, stdout, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var help *helpRequested
	if errors.As(err, &help) {
		fmt.Fprint(stdout, help.usage)
		return exitOK
	}
	var rep *reported
	if errors.As(err, &rep) {
		return exitInput
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "clerkscope: %s (see clerkscope help)\n", ue.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "clerkscope: %s\n", oneLine(err.Error()))
	return exitInput
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	first, _, _ := strings.Cut(s, "\n")
	return inspect.RedactText(first)
}

// The usage texts are built from shared pieces so that each flag is
// described once.
const (
	usageText = `clerkscope: why does this request look signed out? Answers as Clerk's SDK (@clerk/backend 3.25.0).

Usage:
  clerkscope                      open the dashboard on the paste screen (in a terminal)
  clerkscope FILE | -             open the dashboard on a HAR or text file, or stdin
                                  (--webhook-secret SECRET verifies a capture's webhook
                                  deliveries, else CLERK_WEBHOOK_SIGNING_SECRET)
  clerkscope explain [flags] [INPUT ...]
                                  judge every request: a HAR (.har, .har.gz), a text file
                                  (Cookie header, cURL, JWT, Set-Cookie lines…), or stdin
  clerkscope report [--format md|json] [--no-redact] [-o FILE] [flags] INPUT
                                  write a support-ticket report (redacted by default)
  clerkscope lookup [--json] ID   show a user_, sess_, org_ (or slug) or client_ record
                                  from the Backend API (needs CLERK_SECRET_KEY)
  clerkscope webhook [--json] [--webhook-secret SECRET] INPUT ...
                                  verify a webhook delivery as verifyWebhook does and say
                                  why the handler failed on it
  clerkscope config               where the named instances (--instance NAME) are kept
  clerkscope completion bash|zsh|fish
                                  a shell completion script
  clerkscope version | -v
  clerkscope COMMAND -h           the flags of one command

Explain flags:
` + explainFlagsUsage + `
` + environmentUsage

	explainUsage = `Usage: clerkscope explain [flags] [INPUT ...]

Judges every request of each INPUT as Clerk's SDK would: a HAR (.har, .har.gz), a text
file (Cookie header, document.cookie, cURL, JWT, Set-Cookie lines, raw request…), an
oracle case JSON, or stdin (- or nothing).

Flags:
` + explainFlagsUsage + `
` + environmentUsage

	reportUsage = `Usage: clerkscope report [--format md|json] [--no-redact] [-o FILE] [flags] INPUT

Writes a support-ticket report of one INPUT (a HAR or text file, or - for stdin),
redacted by default.

Flags:
  --format md|json        Markdown (default) or the JSON of explain --json
  --no-redact             keep token signatures and secret cookie values
  -o FILE                 write the report to FILE instead of stdout
  --lookup                add the Backend API lookups (identifiers and private metadata
                          redacted unless --reveal)
  --webhook-secret SECRET verify a capture's webhook deliveries, listed with their cause (else
                          CLERK_WEBHOOK_SIGNING_SECRET; shown only as whsec_…abcd)
` + judgeFlagsUsage + `
` + environmentUsage

	lookupUsage = `Usage: clerkscope lookup [--json [--records]] [--by KIND] QUERY

Shows what the Backend API holds about a user, read-only: the user card (identifiers,
MFA, lockout, metadata), their sessions, organizations and pending invitations. QUERY
is a user (user_…), a session (sess_…: its user, that session marked), an organization
(org_… or its slug), a client (client_…), an email, a phone number, a username, an
external id or free text. Several matching users are listed, not guessed between.

Flags:
  --by KIND               read QUERY as: id, email, phone, username, external-id, query
                          (free text) or org (default: guessed from its shape)
  --json                  the lookup as JSON
  --records               with --json: the records as the Backend API returned them

Environment: CLERK_SECRET_KEY (needed), CLERK_API_URL, CLERK_BAPI_VERSION,
CLERKSCOPE_ALLOW_HTTP_API=1 (let a plain-http CLERK_API_URL reach another machine).
`

	webhookUsage = `Usage: clerkscope webhook [--json] [--webhook-secret SECRET] [--now TIME] INPUT ...

Judges each webhook delivery as Clerk's verifyWebhook (@clerk/backend 3.25.0) would:
verified, invalid (the SDK's error) or not verified (no secret); then the cause of a
failure, the event, and the attempts of each message across the inputs. An INPUT is a
raw HTTP request or header block and body, a HAR whose POSTs carry svix-* headers, the
lines of clerk's webhooks listen --json, a JSON {headers, body}, or stdin (-).

Flags:
  --json                  a stable JSON object instead of text
  --webhook-secret SECRET the endpoint's signing secret, whsec_… (else
                          CLERK_WEBHOOK_SIGNING_SECRET); shown only as whsec_…abcd
  --now TIME              the server clock: RFC 3339 or unix seconds/ms (default: the
                          HAR entry's or CLI line's time, else now)
  --reveal                show the signatures (redacted by default; never the secret)
  --lookup                the Backend API's user, session and organization behind the
                          event's ids, and the secret key's instance (needs CLERK_SECRET_KEY)
  --publishable-key KEY, --jwks FILE, --config FILE, --instance NAME
                          the app's instance, to compare with each event's instance_id
                          (else the session tokens of a HAR input name it)

Environment: CLERK_WEBHOOK_SIGNING_SECRET; CLERK_PUBLISHABLE_KEY; CLERK_SECRET_KEY, CLERK_API_URL.
Exit status: 0 whatever the verdict; 1 when an input cannot be read; 2 on bad usage.
`

	// explainFlagsUsage is every flag of explain.
	explainFlagsUsage = `  --json                  a stable JSON object instead of text
` + judgeFlagsUsage + `  --lookup                add the user, session and organization from the Backend API
  --all                   also show requests without Clerk cookies and Frontend API entries
`

	// judgeFlagsUsage is the flags explain, report and the dashboard share.
	judgeFlagsUsage = `  --config FILE           the app's authenticateRequest/clerkMiddleware options as JSON
  --now TIME              the server clock: RFC 3339 or unix seconds/ms
                          (default: the HAR entry's startedDateTime, else now)
  --publishable-key KEY   the instance (else CLERK_PUBLISHABLE_KEY, else inferred from tokens)
  --jwt-key FILE|PEM      the instance's PEM public key (else CLERK_JWT_KEY)
  --jwks FILE             verify with a JWKS file
  --fetch-jwks            when no other key is given, fetch the instance's public JWKS
                          from its Frontend API (/.well-known/jwks.json; no secret needed)
  --instance NAME         a named instance: its keys and options (clerkscope config)
  --authorized-party URL  an allowed azp origin (repeatable)
  --url URL               the request URL for text input
  -H 'Name: value'        add a request header for text input (repeatable)
  --reveal                show token signatures and secret cookie values (redacted by default)
  --max-value SIZE        the largest value kept from a HAR (default 4MiB): a longer URL, header
                          or cookie is left out with a note; in a .har.gz nothing may inflate
                          past 64 times it (a decompression bomb stops the read)
`

	environmentUsage = `Environment: CLERK_PUBLISHABLE_KEY, CLERK_SECRET_KEY, CLERK_JWT_KEY, CLERK_API_URL,
CLERK_BAPI_VERSION (the Clerk-API-Version header, default 2026-05-12), CLERKSCOPE_ALLOW_HTTP_API=1
(let a plain-http CLERK_API_URL reach another machine).
Exit status: 0 whatever the verdict; 1 when an input cannot be read; 2 on bad usage;
130 on SIGINT, 143 on SIGTERM, 129 on SIGHUP (128 + the signal, in every mode).
`
)

// commandUsage is the usage of one command (name as in its flag set), the
// general usage for any other name.
func commandUsage(name string) string {
	switch name {
	case "explain":
		return explainUsage
	case "report":
		return reportUsage
	case "lookup":
		return lookupUsage
	case "webhook":
		return webhookUsage
	case "config":
		return configUsage
	}
	return usageText
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// judgeFlags are the flags shared by explain, report and the dashboard.
type judgeFlags struct {
	json, reveal, lookup, all bool
	fetchJWKS                 bool
	config, now, pk, jwtKey   string
	// instance names a profile; secretKeyEnv and apiURL come from it.
	instance, secretKeyEnv, apiURL string
	jwks, reqURL, format           string
	noRedact                       bool
	parties, headers               multiFlag
	maxValue                       har.Size
}

func (f *judgeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.json, "json", false, "JSON output")
	fs.BoolVar(&f.reveal, "reveal", false, "show secrets")
	fs.BoolVar(&f.lookup, "lookup", false, "Backend API lookups")
	fs.BoolVar(&f.all, "all", false, "list Frontend API entries too")
	fs.StringVar(&f.config, "config", "", "options JSON file")
	fs.StringVar(&f.now, "now", "", "server clock")
	fs.StringVar(&f.pk, "publishable-key", "", "publishable key")
	fs.StringVar(&f.jwtKey, "jwt-key", "", "PEM public key or file")
	fs.StringVar(&f.jwks, "jwks", "", "JWKS file")
	fs.BoolVar(&f.fetchJWKS, "fetch-jwks", false, "fetch the instance's public JWKS from its Frontend API")
	fs.StringVar(&f.instance, "instance", "", "a named instance (clerkscope config)")
	fs.StringVar(&f.reqURL, "url", "", "request URL for text input")
	fs.Var(&f.parties, "authorized-party", "authorized party")
	fs.Var(&f.headers, "H", "request header")
	fs.Var(&f.headers, "header", "request header")
	fs.Var(&f.maxValue, "max-value", "the largest value kept from a HAR")
}

// parseInterleaved parses flags that may come after positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequested{commandUsage(fs.Name())}
			}
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// setup builds the judging setup from --config, the environment and flags
// (flags win over the config, the config over the environment).
func (f *judgeFlags) setup(stderr io.Writer) (*inspect.Setup, error) {
	if err := f.applyProfile(); err != nil {
		return nil, err
	}
	s := &inspect.Setup{}
	var keys inspect.ConfigKeys
	if f.config != "" {
		data, err := os.ReadFile(f.config)
		if err != nil {
			return nil, fmt.Errorf("config file %s: %w", f.config, har.FileError(err))
		}
		opts, warnings, err := inspect.ParseOptions(data)
		if err != nil {
			return nil, fmt.Errorf("config file %s: %w", f.config, err)
		}
		for _, w := range warnings {
			fmt.Fprintf(stderr, "clerkscope: warning: %s: %s\n", f.config, w)
		}
		if opts.SecretKey != "" {
			fmt.Fprintf(stderr, "clerkscope: warning: %s holds a secret key (%s); keep it out of tickets and prefer CLERK_SECRET_KEY\n", f.config, inspect.MaskSecret(opts.SecretKey))
		}
		s.Options = opts
		s.Complete = true
		// A config that names no key leaves the app's secret key to the
		// app's own environment.
		keys = inspect.ReadConfigKeys(data)
		s.SecretKeyInAppEnv = keys.InAppEnv
	}
	o := &s.Options
	if o.PublishableKey == "" {
		o.PublishableKey = strings.TrimSpace(os.Getenv("CLERK_PUBLISHABLE_KEY"))
	}
	// An explicit "secretKey": null or "" models an app without one, which
	// CLERK_SECRET_KEY in clerkscope's environment does not change.
	if o.SecretKey == "" && !keys.SecretKeyNamed && f.secretKeyEnv != "" {
		// The instance's profile names the variable that holds its key.
		o.SecretKey = strings.TrimSpace(os.Getenv(f.secretKeyEnv))
	}
	if o.SecretKey == "" && !keys.SecretKeyNamed {
		o.SecretKey = strings.TrimSpace(os.Getenv("CLERK_SECRET_KEY"))
	}
	if o.APIURL == "" {
		o.APIURL = f.apiURL
	}
	if o.JWTKey == "" {
		o.JWTKey = strings.ReplaceAll(os.Getenv("CLERK_JWT_KEY"), `\n`, "\n")
	}
	if o.APIURL == "" {
		o.APIURL = os.Getenv("CLERK_API_URL")
	}
	if f.pk != "" {
		o.PublishableKey = strings.TrimSpace(f.pk)
	}
	if o.PublishableKey != "" {
		if _, err := inspect.ParsePublishableKey(o.PublishableKey); err != nil && !s.Complete {
			return nil, fmt.Errorf("publishable key: %w", err)
		}
	}
	if f.jwtKey != "" {
		pem := f.jwtKey
		if !strings.Contains(pem, "-----BEGIN") {
			data, err := os.ReadFile(f.jwtKey)
			if err != nil {
				return nil, fmt.Errorf("--jwt-key: %w (give the PEM text or a file holding it)", har.FileError(err))
			}
			pem = string(data)
		}
		o.JWTKey = pem
	}
	if o.JWTKey != "" {
		if err := inspect.ValidatePEM(o.JWTKey); err != nil {
			return nil, fmt.Errorf("jwt key: %w", err)
		}
	}
	if len(f.parties) > 0 {
		o.AuthorizedParties = append(o.AuthorizedParties, f.parties...)
	}
	if f.jwks != "" {
		set, err := inspect.LoadJWKSFile(f.jwks)
		if err != nil {
			return nil, fmt.Errorf("--jwks: %w", har.FileError(err))
		}
		s.Keys = set
	}
	if f.now != "" {
		t, err := parseNow(f.now)
		if err != nil {
			return nil, &usageError{err.Error()}
		}
		s.Now = &t
	}
	// With a secret key and no jwtKey, the SDK fetches the JWKS from the
	// Backend API: a read-only call clerkscope makes too, through its own
	// client. Canned answers in the config take precedence.
	if o.JWTKey == "" && s.Keys == nil && o.SecretKey != "" && (o.API == nil || o.API.JWKS == nil) {
		client, err := bapi.New(bapiConfig(o.SecretKey, o.APIURL, stderr))
		if err != nil {
			return nil, err
		}
		s.Backend = bapi.NewBackend(client, inspect.Canned{API: o.API})
	}
	if f.fetchJWKS {
		s.FetchJWKS = &inspect.FrontendJWKS{BaseURL: frontendAPIBase, Warn: func(msg string) {
			fmt.Fprintf(stderr, "clerkscope: warning: %s\n", msg)
		}}
	}
	return s, nil
}

// frontendAPIBase replaces https://<frontend-api> for --fetch-jwks (tests
// point it at an httptest server).
var frontendAPIBase string

// maxDateMillis is the end of JavaScript's Date range, ±8.64e15 ms from the
// epoch: a clock the SDK (and time.UnixMilli) can hold.
const maxDateMillis = 8.64e15

// parseNow reads --now: RFC 3339, or unix seconds or milliseconds.
func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseFloat(s, 64); (err == nil || errors.Is(err, strconv.ErrRange)) && n > 0 {
		if n > maxDateMillis {
			return time.Time{}, fmt.Errorf("--now %s is out of range: JavaScript's Date, the SDK's clock, ends at 8.64e15 ms (the year 275760)", s)
		}
		if n > 1e11 {
			return time.UnixMilli(int64(n)).UTC(), nil
		}
		return time.UnixMilli(int64(n * 1000)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--now %q is not RFC 3339 (2026-01-01T00:00:00Z) or unix seconds/milliseconds", s)
}

// openInput opens a path ("-" for stdin, streamed) through har.Open.
func openInput(path string, stdin io.Reader, o har.Options) (*har.Input, error) {
	if path == "-" {
		return har.Open(har.Stream("stdin", stdin), o)
	}
	return har.Open(har.File(path), o)
}

// harOptions are the reader's options of explain and report: only the
// headers that matter to Clerk are kept (Lean), values capped at
// --max-value.
func (f *judgeFlags) harOptions() har.Options {
	return har.Options{Lean: true, MaxValue: int64(f.maxValue)}
}

// applyTextFlags applies --url and -H to a text input's request.
func (f *judgeFlags) applyTextFlags(p *inspect.Parsed) error {
	req := &p.Request
	if f.reqURL != "" {
		req.URL = f.reqURL
	}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return &usageError{fmt.Sprintf("-H %q is not 'Name: value'", h)}
		}
		if strings.EqualFold(strings.TrimSpace(name), "cookie") && req.Value("cookie") != "" {
			req.Set("cookie", req.Value("cookie")+"; "+strings.TrimSpace(value))
			continue
		}
		req.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return nil
}

// tuneGC trades a little memory for speed on big captures: explain streams
// with a small live heap, so collecting less often (GOGC 300) under a soft
// 22 MiB limit keeps the peak RSS well under 32 MB and cuts the wall time
// of a 200 MB capture by a quarter. GOGC or GOMEMLIMIT set by the user win.
func tuneGC() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(300)
		debug.SetMemoryLimit(22 << 20)
	}
}

// runExplain is `clerkscope explain`.
func runExplain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	tuneGC()
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	var f judgeFlags
	f.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if pos, err = inputsOrStdin(pos, stdin, "explain needs an input: a HAR or text file, or text piped on stdin"); err != nil {
		return err
	}
	setup, err := f.setup(stderr)
	if err != nil {
		return err
	}
	o := har.RenderOptions{Reveal: f.reveal}
	out := safeOutput(stdout, f.json)
	defer out.Close()
	var looker *bapi.Looker
	if f.lookup {
		if looker, err = newLooker(setup, stderr); err != nil {
			return err
		}
	}
	var sink har.Sink
	single := len(pos) == 1
	if f.json {
		sink = har.NewJSONWriter(out, o, f.all)
	} else {
		sink = har.NewTextWriter(out, o, f.all, false)
	}
	if looker != nil {
		sink = bapi.WithLookups(ctx, sink, looker, f.reveal, out)
	}
	an := har.Analysis{Setup: setup, Prepare: f.applyTextFlags}
	var firstErr error
	var story *har.Story
	for _, p := range pos {
		in, err := openInput(p, stdin, f.harOptions())
		if err != nil {
			fmt.Fprintf(stderr, "clerkscope: %s\n", oneLine(err.Error()))
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		st, err := har.Analyze(ctx, in, an, sink)
		in.Close()
		if st != nil && single {
			story = st
		}
		var ue *usageError
		if errors.As(err, &ue) {
			return err // a malformed -H, applied to a text input
		}
		if err != nil {
			fmt.Fprintf(stderr, "clerkscope: %s: %s\n", in.Name, oneLine(err.Error()))
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", in.Name, err)
			}
		}
	}
	if err := sink.Close(story, nil); err != nil {
		return err
	}
	if firstErr != nil {
		return &reported{firstErr}
	}
	return nil
}

// reported is an error already printed: exit 1 without printing again.
type reported struct{ err error }

func (r *reported) Error() string { return r.err.Error() }

func isTerminal(r io.Reader) bool {
	f, ok := underlying(r).(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// safeOutput is w with what came from input or the Backend API made safe
// for a terminal: text shows control bytes escaped, JSON writes them as
// \u escapes (the same values once decoded).
func safeOutput(w io.Writer, json bool) *inspect.Sanitizer {
	if json {
		return inspect.NewJSONSanitizer(w)
	}
	return inspect.NewSanitizer(w)
}

func isTerminalW(w io.Writer) bool {
	f, ok := underlying(w).(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// apiVersion is the Clerk-API-Version header: CLERK_BAPI_VERSION, else the
// client's default (2026-05-12). (CLERK_API_VERSION means the path version
// in Clerk's own tooling, so it is not reused here.)
func apiVersion() string { return strings.TrimSpace(os.Getenv("CLERK_BAPI_VERSION")) }

// runReport is `clerkscope report`.
func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	tuneGC()
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var f judgeFlags
	f.register(fs)
	fs.StringVar(&f.format, "format", "md", "md or json")
	fs.BoolVar(&f.noRedact, "no-redact", false, "keep secrets")
	out := fs.String("o", "", "write to this file instead of stdout")
	hookSecret := fs.String("webhook-secret", "", "the webhook endpoint's signing secret")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"report takes one input: a HAR or text file (or - for stdin)"}
	}
	if f.format != "md" && f.format != "json" {
		return &usageError{fmt.Sprintf("--format %q: use md or json", f.format)}
	}
	setup, err := f.setup(stderr)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		file, err := createPrivate(*out)
		if err != nil {
			return fmt.Errorf("report file %s: %w", *out, har.FileError(err))
		}
		defer file.Close()
		w = file
	}
	o := har.RenderOptions{Reveal: f.noRedact || f.reveal}
	return writeReport(ctx, pos[0], stdin, setup, f, o, signingSecret(*hookSecret), w, stderr)
}

// createPrivate creates (or truncates) a file only its owner can read: a
// report may hold live tokens (--no-redact), and even redacted it names
// users and sessions. An existing file is made private too, unless it is
// not a regular file (-o /dev/stdout).
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// writeReport renders one input as a report. A capture's webhook
// deliveries are judged with hookSecret and listed in the Markdown report.
func writeReport(ctx context.Context, path string, stdin io.Reader, setup *inspect.Setup, f judgeFlags, o har.RenderOptions, hookSecret string, w, stderr io.Writer) error {
	src := har.File(path)
	if path == "-" {
		// Kept in a private file, so that a capture's webhook deliveries
		// can be read again after its requests.
		spooled, cleanup, err := har.SpoolStdin(stdin)
		if err != nil {
			return err
		}
		defer cleanup()
		src = har.File(spooled)
		src.Name = "stdin"
	}
	in, err := har.Open(src, f.harOptions())
	if err != nil {
		return err
	}
	defer in.Close()
	safe := safeOutput(w, f.format == "json")
	defer safe.Close()
	var sink har.Sink
	var md *har.MarkdownReport
	var jw *har.JSONWriter
	if f.format == "json" {
		jw = har.NewJSONWriter(safe, o, false)
		sink = jw
	} else {
		md = har.NewMarkdownReport(safe, in.Name, o)
		sink = md
	}
	var looker *bapi.Looker
	if f.lookup {
		if looker, err = newLooker(setup, stderr); err != nil {
			return err
		}
		sink = bapi.WithLookups(ctx, sink, looker, o.Reveal, safe)
	}
	st, err := har.Analyze(ctx, in, har.Analysis{Setup: setup, Prepare: f.applyTextFlags}, sink)
	if in.HAR != nil && st == nil {
		return fmt.Errorf("%s: %w", in.Name, err) // not a capture after all: nothing to report
	}
	if in.HAR == nil && err != nil {
		return err // a malformed -H
	}
	rep, herr := in.Webhooks(setup, hookSecret, time.Now())
	if herr != nil {
		fmt.Fprintf(stderr, "clerkscope: %s: %s\n", in.Name, oneLine(herr.Error()))
	}
	if rep != nil && looker != nil {
		// The events' users, sessions and organizations, as webhook --lookup.
		webhook.Lookup(ctx, bapiFinder(looker), rep.Judged)
	}
	if rep != nil && md != nil {
		md.AddWebhooks(rep)
	} else if rep != nil {
		jw.AddWebhooks(rep)
	}
	if cerr := sink.Close(st, err); cerr != nil {
		return cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "clerkscope: %s: %s\n", in.Name, oneLine(err.Error()))
		return &reported{err}
	}
	return nil
}

// checkInput vets the file the dashboard was given before it starts: a
// word that names no file and does not look like a path is a mistyped
// command (bad usage), and an input that cannot be read (up to its first
// entry) ends the command with its error rather than on the paste screen.
func checkInput(path string, o har.Options) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !strings.ContainsAny(path, `/\.`) && !strings.HasPrefix(path, "-") {
		return &usageError{fmt.Sprintf("unknown command %q: the commands are explain, report, lookup, webhook, config, completion, version and help, and no file has that name", path)}
	}
	in, err := har.Open(har.File(path), o)
	if err != nil {
		return err
	}
	defer in.Close()
	if in.HAR == nil {
		return nil
	}
	var te *har.TruncatedError
	if _, err := in.HAR.Next(); err != nil && err != io.EOF && !errors.As(err, &te) {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	return nil
}

// runDashboard opens the TUI, or prints explain's text when stdout is not
// a terminal.
func runDashboard(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clerkscope", flag.ContinueOnError)
	var f judgeFlags
	f.register(fs)
	hookSecret := fs.String("webhook-secret", "", "the webhook endpoint's signing secret")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return &usageError{"the dashboard opens one input; use explain for several"}
	}
	if len(pos) == 1 && pos[0] != "-" {
		if err := checkInput(pos[0], har.Options{MaxValue: int64(f.maxValue)}); err != nil {
			return err
		}
	}
	if !isTerminalW(stdout) {
		if len(pos) == 0 && isTerminal(stdin) {
			return &usageError{"no input: give a HAR or text file, or pipe text in (the dashboard needs a terminal)"}
		}
		return runExplain(ctx, dropFlag(args, "webhook-secret"), stdin, stdout, stderr)
	}
	if len(pos) == 0 && !isTerminal(stdin) {
		pos = []string{"-"} // piped into the dashboard: open what came in
	}
	setup, err := f.setup(stderr)
	if err != nil {
		return err
	}
	if setup.FetchJWKS != nil {
		// A line on stderr would land in the middle of the dashboard; the
		// verdicts say that the fetch failed.
		setup.FetchJWKS.Warn = nil
	}
	var looker *bapi.Looker
	if setup.Options.SecretKey != "" {
		looker, _ = newLooker(setup, stderr)
	}
	cfg, err := dashboardConfig(f, setup, looker, signingSecret(*hookSecret))
	if err != nil {
		return err
	}
	cfg.Notices = dashboardNotices(looker)
	if len(pos) == 1 {
		if pos[0] == "-" {
			path, cleanup, err := har.SpoolStdin(stdin)
			if err != nil {
				return err
			}
			defer cleanup()
			cfg.Path = path
		} else {
			cfg.Path = pos[0] // opened by checkInput already
		}
	}
	// The dashboard holds its rows while it runs and judging makes
	// short-lived garbage: a GC target of 50 % (unless GOGC sets one)
	// keeps its peak near 1.5× what it holds instead of 2× (on the 1 GB
	// capture, 63 MB instead of 71).
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	return ui.Run(ctx, cfg)
}

// dashboardConfig is what the dashboard takes from the flags. The paste
// screen's URL and page-or-fetch start as --url and -H set them, its clock
// as --now; Prepare applies --url and -H to a pasted request as explain
// does (a malformed -H is bad usage here, not an error on the paste screen).
func dashboardConfig(f judgeFlags, setup *inspect.Setup, looker *bapi.Looker, hookSecret string) (ui.Config, error) {
	if err := f.applyTextFlags(&inspect.Parsed{}); err != nil {
		return ui.Config{}, err
	}
	dest := ""
	for _, h := range f.headers {
		if name, value, ok := strings.Cut(h, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "sec-fetch-dest") {
			dest = strings.TrimSpace(value)
		}
	}
	return ui.Config{
		Setup:         setup,
		Looker:        looker,
		Reveal:        f.reveal,
		Prepare:       f.applyTextFlags,
		URL:           f.reqURL,
		Dest:          dest,
		ParseTime:     parseNow,
		WebhookSecret: hookSecret,
		MaxValue:      int64(f.maxValue),
	}, nil
}

// inputsOrStdin is the inputs named on the command line, else stdin when
// something is piped in; a terminal on stdin with no input is bad usage
// (need says what to give).
func inputsOrStdin(pos []string, stdin io.Reader, need string) ([]string, error) {
	if len(pos) > 0 {
		return pos, nil
	}
	if isTerminal(stdin) {
		return nil, &usageError{need}
	}
	return []string{"-"}, nil
}
