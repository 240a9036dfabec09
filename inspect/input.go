package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what a piece of pasted or piped text turned out to be.
type Kind string

// Input kinds.
const (
	KindCookieHeader   Kind = "Cookie header"
	KindDocumentCookie Kind = "document.cookie"
	KindSetCookie      Kind = "Set-Cookie lines"
	KindJWT            Kind = "JWT"
	KindNameValue      Kind = "name=value lines"
	KindCurl           Kind = "cURL command"
	KindCookieJSON     Kind = "cookie-editor JSON"
	KindRawHTTP        Kind = "HTTP request"
	KindHeaders        Kind = "header lines"
	KindHAR            Kind = "HAR capture"
	KindScenario       Kind = "oracle scenario"
	KindPublishableKey Kind = "publishable key"
	KindUnknown        Kind = "unknown"
)

// Parsed is a pasted input turned into a request.
type Parsed struct {
	Kind    Kind
	Request Request
	// SetCookies are the directives of Set-Cookie input.
	SetCookies []SetCookie
	// Scenario holds the options, clock and canned answers of an oracle
	// scenario or case file.
	Scenario *Scenario
	// Notes say what was assumed while reading the input.
	Notes []string
	// Controls names where the user changes what was assumed (nil: the
	// command line's flags).
	Controls *Controls
}

// Controls names, in the notes of a judged text, how the user sets what
// was assumed: the command line's flags, or the paste screen's fields.
type Controls struct {
	// URL sets the request's URL ("--url").
	URL string
	// AsFetch and AsPage change the kind of request.
	AsFetch, AsPage string
	// Clock sets the time the request is judged at ("--now").
	Clock string
}

// FlagControls are the command line's.
var FlagControls = Controls{URL: "--url", AsFetch: "add -H 'Sec-Fetch-Dest: empty'", AsPage: "add -H 'Sec-Fetch-Dest: document'", Clock: "--now"}

func (p *Parsed) controls() Controls {
	if p.Controls != nil {
		return *p.Controls
	}
	return FlagControls
}

// Scenario is the oracle's input: a request with options, a clock and
// canned Backend API answers (case files have the request nested).
type Scenario struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Options json.RawMessage   `json:"options"`
	Now     *int64            `json:"now"`
	API     *CannedAPI        `json:"api"`
	Request *struct {
		URL     string            `json:"url"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
	} `json:"request"`
}

// ErrEmpty is returned for empty input.
var ErrEmpty = errors.New("the input is empty: paste a Cookie header, a cURL command, a JWT, Set-Cookie lines or a HAR file")

var (
	reJWT       = regexp.MustCompile(`^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$`)
	reRequest   = regexp.MustCompile(`^[A-Z]{3,10} \S+ HTTP/\d(\.\d)?$`)
	reHeader    = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~:-]+:\s?`)
	reCookieKey = regexp.MustCompile(`^[!#$%&'*+\-.^_` + "`" + `|~0-9A-Za-z]+$`)
)

// DetectKind guesses what text is, cheaply, for the paste screen.
func DetectKind(text string) Kind {
	t := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
	switch {
	case t == "":
		return KindUnknown
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
		if strings.Contains(t, `"log"`) && strings.Contains(t, `"entries"`) {
			return KindHAR
		}
		if strings.HasPrefix(t, "[") {
			return KindCookieJSON
		}
		return KindScenario
	case strings.HasPrefix(strings.ToLower(t), "curl ") || strings.HasPrefix(strings.ToLower(t), "curl.exe "):
		return KindCurl
	case strings.HasPrefix(t, "pk_live_") || strings.HasPrefix(t, "pk_test_"):
		if !strings.ContainsAny(t, " ;=\n") {
			return KindPublishableKey
		}
	}
	first, _, _ := strings.Cut(t, "\n")
	first = strings.TrimSpace(first)
	lower := strings.ToLower(first)
	switch {
	case reRequest.MatchString(first):
		return KindRawHTTP
	case strings.HasPrefix(lower, "set-cookie:"):
		return KindSetCookie
	case strings.HasPrefix(lower, "cookie:"):
		if strings.Contains(t, "\n") && hasHeaderLines(t) {
			return KindHeaders
		}
		return KindCookieHeader
	case strings.HasPrefix(strings.TrimPrefix(strings.TrimPrefix(t, "Bearer "), "bearer "), "ey") && reJWT.MatchString(strings.TrimPrefix(strings.TrimPrefix(t, "Bearer "), "bearer ")):
		return KindJWT
	case reHeader.MatchString(first) && !strings.Contains(strings.SplitN(first, ":", 2)[0], "="):
		return KindHeaders
	}
	if (strings.HasPrefix(t, "'") && strings.HasSuffix(t, "'") || strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`)) && strings.Contains(t, "=") {
		return KindDocumentCookie
	}
	if strings.Contains(t, "\n") {
		if strings.Contains(first, "\t") {
			return KindNameValue
		}
		if strings.Contains(first, "=") && !strings.Contains(first, ";") {
			return KindNameValue
		}
		if strings.Contains(first, "=") && looksLikeSetCookie(first) {
			return KindSetCookie
		}
	}
	if strings.Contains(t, "=") {
		if looksLikeSetCookie(t) {
			return KindSetCookie
		}
		return KindCookieHeader
	}
	return KindUnknown
}

func hasHeaderLines(t string) bool {
	n := 0
	for _, l := range strings.Split(t, "\n") {
		if reHeader.MatchString(strings.TrimSpace(l)) {
			n++
		}
	}
	return n >= 2
}

func looksLikeSetCookie(line string) bool {
	l := strings.ToLower(line)
	for _, a := range []string{"; path=", "; domain=", "; expires=", "; max-age=", "; httponly", "; secure", "; samesite="} {
		if strings.Contains(l, a) {
			return true
		}
	}
	return false
}

// ParseInput reads pasted or piped text into a request. Binary data, HAR
// files and empty input are refused with an error that says what to do.
func ParseInput(text string) (*Parsed, error) {
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return nil, errors.New("the input is binary, not text: paste a Cookie header, cURL command or JWT, or pass a HAR file (.har or .har.gz)")
	}
	t := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
	if t == "" {
		return nil, ErrEmpty
	}
	p := &Parsed{Kind: DetectKind(t), Request: Request{Method: "GET"}}
	switch p.Kind {
	case KindHAR:
		return nil, errors.New("this is a HAR capture: open it as a file (clerkscope explain capture.har)")
	case KindScenario:
		return parseScenario(t)
	case KindCookieJSON:
		return p, p.parseCookieJSON(t)
	case KindCurl:
		req, err := ParseCurl(t)
		if err != nil {
			return nil, err
		}
		p.Request = req
		return p, nil
	case KindRawHTTP:
		return p, p.parseRawHTTP(t)
	case KindHeaders:
		p.parseHeaderLines(strings.Split(t, "\n"))
		return p, nil
	case KindSetCookie:
		return p, p.parseSetCookies(t)
	case KindJWT:
		tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t, "Bearer "), "bearer "))
		if _, err := DecodeJWT(tok); err != nil {
			return nil, fmt.Errorf("the JWT does not decode: %w (is it complete? tokens are often cut when copied)", err)
		}
		p.Request.Add("authorization", "Bearer "+tok)
		p.Notes = append(p.Notes, "a bare JWT is judged as an Authorization: Bearer token (no cookies)")
		return p, nil
	case KindPublishableKey:
		return nil, errors.New("this is a publishable key, not a request: pass it with --publishable-key and paste the Cookie header or cURL command")
	case KindDocumentCookie:
		t = t[1 : len(t)-1]
		p.Request.Add("cookie", t)
		return p, p.checkCookies()
	case KindNameValue:
		var pairs []string
		for _, l := range strings.Split(t, "\n") {
			l = strings.TrimSpace(l)
			if l == "" {
				continue
			}
			if name, value, ok := strings.Cut(l, "\t"); ok {
				value, _, _ = strings.Cut(value, "\t")
				pairs = append(pairs, strings.TrimSpace(name)+"="+strings.TrimSpace(value))
				continue
			}
			if !strings.Contains(l, "=") {
				return nil, fmt.Errorf("line %q is not name=value: paste one cookie per line as name=value, or the whole Cookie header", shorten(l, 40))
			}
			pairs = append(pairs, l)
		}
		p.Request.Add("cookie", strings.Join(pairs, "; "))
		return p, p.checkCookies()
	case KindCookieHeader:
		h := t
		if strings.HasPrefix(strings.ToLower(h), "cookie:") {
			h = strings.TrimSpace(h[len("cookie:"):])
		}
		p.Request.Add("cookie", strings.Join(strings.Fields(h), " "))
		return p, p.checkCookies()
	}
	return nil, fmt.Errorf("could not tell what this is (%s): paste a Cookie header, document.cookie output, Set-Cookie lines, a JWT, a cURL command or cookie-editor JSON", shorten(t, 40))
}

func shorten(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (p *Parsed) checkCookies() error {
	cs := p.Request.Cookies()
	if len(cs) == 0 {
		return errors.New("no name=value cookie found in the input: paste the Cookie request header (name=value; name2=value2)")
	}
	for _, c := range cs {
		if !reCookieKey.MatchString(c.Name) {
			p.Notes = append(p.Notes, fmt.Sprintf("cookie name %q has characters a browser would not send", shorten(c.Name, 30)))
		}
	}
	return nil
}

func (p *Parsed) parseSetCookies(t string) error {
	var pairs []string
	for _, l := range strings.Split(t, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(l), "set-cookie:") {
			l = strings.TrimSpace(l[len("set-cookie:"):])
		}
		sc := ParseSetCookie(l)
		if sc.Name == "" {
			return fmt.Errorf("Set-Cookie line %q has no name=value", shorten(l, 40))
		}
		p.SetCookies = append(p.SetCookies, sc)
		if sc.Deletes(time.Now()) {
			continue
		}
		pairs = append(pairs, sc.Name+"="+strings.TrimSpace(strings.SplitN(strings.SplitN(l, ";", 2)[0], "=", 2)[1]))
	}
	if len(pairs) > 0 {
		p.Request.Add("cookie", strings.Join(pairs, "; "))
	}
	p.Notes = append(p.Notes, "Set-Cookie lines are judged as the Cookie header a browser would send next (deleted cookies left out)")
	return nil
}

func (p *Parsed) parseRawHTTP(t string) error {
	lines := strings.Split(strings.ReplaceAll(t, "\r\n", "\n"), "\n")
	parts := strings.Fields(lines[0])
	p.Request.Method = parts[0]
	target := parts[1]
	p.parseHeaderLines(lines[1:])
	if strings.Contains(target, "://") {
		p.Request.URL = target
	} else if host := p.Request.Value("host"); host != "" {
		p.Request.URL = "https://" + host + target
		p.Notes = append(p.Notes, "assumed https:// for "+host)
	}
	return nil
}

func (p *Parsed) parseHeaderLines(lines []string) {
	for _, l := range lines {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" {
			break
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		if name == "" && strings.HasPrefix(value, "authority:") {
			name, value = ":authority", strings.TrimPrefix(value, "authority:")
		}
		name = strings.TrimSpace(name)
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case ":authority", "host":
			if p.Request.URL == "" {
				p.Request.URL = "https://" + value + "/"
			}
		}
		p.Request.Add(name, value)
	}
	if p.Request.URL == "" {
		if host := p.Request.Value("host"); host != "" {
			p.Request.URL = "https://" + host + "/"
		}
	}
}

func (p *Parsed) parseCookieJSON(t string) error {
	var list []struct {
		Name   string `json:"name"`
		Value  string `json:"value"`
		Domain string `json:"domain"`
		Path   string `json:"path"`
	}
	if err := json.Unmarshal([]byte(t), &list); err != nil {
		return fmt.Errorf("cookie JSON: %w (expected an array of {\"name\", \"value\", \"domain\", …} as cookie-editor exports)", err)
	}
	var pairs []string
	domain := ""
	for _, c := range list {
		if c.Name == "" {
			continue
		}
		pairs = append(pairs, c.Name+"="+c.Value)
		if domain == "" && c.Domain != "" && !strings.Contains(c.Domain, "clerk.") {
			domain = strings.TrimPrefix(c.Domain, ".")
		}
	}
	if len(pairs) == 0 {
		return errors.New("cookie JSON: no cookies with a name in the array")
	}
	p.Request.Add("cookie", strings.Join(pairs, "; "))
	if domain != "" {
		p.Request.URL = "https://" + domain + "/"
		p.Notes = append(p.Notes, "the request URL is assumed to be https://"+domain+"/ (from the cookies' domain)")
	}
	return nil
}

func parseScenario(t string) (*Parsed, error) {
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader([]byte(t)))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("JSON input: %w", err)
	}
	if s.Request != nil && s.URL == "" {
		s.URL, s.Method, s.Headers = s.Request.URL, s.Request.Method, s.Request.Headers
	}
	if s.URL == "" {
		return nil, errors.New("JSON input is neither a HAR, a cookie list nor an oracle scenario (no \"url\" or \"request\")")
	}
	p := &Parsed{Kind: KindScenario, Scenario: &s, Request: Request{Method: s.Method, URL: s.URL}}
	if p.Request.Method == "" {
		p.Request.Method = "GET"
	}
	names := make([]string, 0, len(s.Headers))
	for k := range s.Headers {
		names = append(names, k)
	}
	sortStrings(names)
	for _, k := range names {
		p.Request.Add(k, s.Headers[k])
	}
	return p, nil
}

func sortStrings(s []string) { sort.Strings(s) }
