package js

import (
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"
)

// URL is the subset of the WHATWG URL the SDK relies on: origin, href and
// URLSearchParams with its serialization rules. Reading a parameter never
// changes the URL; any change through the search params re-serializes the
// whole query as application/x-www-form-urlencoded, exactly as browsers and
// Node do (so "a=b%20c" comes back as "a=b+c").
type URL struct {
	scheme   string
	host     string // hostname[:port], lower case, default port removed
	path     string // escaped
	query    string
	hasQuery bool // a '?' (the query may be empty)
	fragment string
	params   []Param
}

// Param is one name=value pair of a query, as URLSearchParams holds it.
type Param struct{ Name, Value string }

// ErrNotAbsolute is the error of ParseURL for a URL without a scheme and host.
var ErrNotAbsolute = errors.New("not an absolute http(s) URL")

// ParseURL is new URL(s) for an absolute URL.
func ParseURL(s string) (*URL, error) {
	var w URL
	if parsePlainURL(&w, s) {
		return &w, nil
	}
	return parseURL(s)
}

// ParseURLInto is ParseURL into *dst, for a caller that keeps the URL in
// storage of its own: the plain shape then allocates nothing but its
// query's pairs.
func ParseURLInto(dst *URL, s string) error {
	if parsePlainURL(dst, s) {
		return nil
	}
	w, err := parseURL(s)
	if err != nil {
		return err
	}
	*dst = *w
	return nil
}

// parseURL is ParseURL by net/url, for every shape of URL.
func parseURL(s string) (*URL, error) {
	u, err := url.Parse(whatwgPrepare(s))
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" || u.Host == "" && u.Opaque == "" {
		return nil, ErrNotAbsolute
	}
	// The fragment as Go decodes it, with the controls whatwgPrepare
	// encoded put back as the WHATWG serializer writes them.
	w := &URL{scheme: strings.ToLower(u.Scheme), fragment: encodeControls(u.Fragment)}
	w.host = normalizeHost(w.scheme, u.Host)
	w.path = u.EscapedPath()
	if w.path == "" && (w.scheme == "http" || w.scheme == "https") {
		w.path = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		w.query, w.hasQuery = encodeQueryChars(u.RawQuery), true
		w.params = parseFormQuery(w.query)
	}
	return w, nil
}

// parsePlainURL reads the shape of URL that nearly every request has —
// http or https, a host of letters, digits, dots and hyphens with an
// optional port, a path, query and fragment of printable ASCII and no
// percent escape in the path or fragment — in one pass, without net/url
// and its URL, into *w; ok is false for any other shape, which parseURL
// reads (and *w is unchanged).
// What it gives is what parseURL gives (TestPlainURL, FuzzPlainURL): for
// this shape whatwgPrepare changes nothing, net/url's host is the text
// between "//" and the first '/', '?' or '#', its escaped path is the
// path as written (every byte of it is one that net/url leaves or
// accepts unescaped), and its query and fragment are the texts after
// the first '?' and '#' as written.
func parsePlainURL(w *URL, s string) (ok bool) {
	var scheme, rest string
	switch {
	case strings.HasPrefix(s, "https://"):
		scheme, rest = "https", s[len("https://"):]
	case strings.HasPrefix(s, "http://"):
		scheme, rest = "http", s[len("http://"):]
	default:
		return false
	}
	// The host: name, then ":" and digits.
	i, port, upper := 0, -1, false
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == '/' || c == '?' || c == '#' {
			break
		}
		switch {
		case c == ':' && port < 0:
			port = i
		case port >= 0:
			if c < '0' || c > '9' {
				return false
			}
		case !plainHostByte[c]:
			return false
		case 'A' <= c && c <= 'Z':
			upper = true
		}
	}
	if i == 0 || port == 0 {
		return false
	}
	host, rest := rest[:i], rest[i:]
	i = 0
	for ; i < len(rest) && rest[i] != '?' && rest[i] != '#'; i++ {
		if !plainPathByte[rest[i]] {
			return false
		}
	}
	path, rest := rest[:i], rest[i:]
	hasQuery := strings.HasPrefix(rest, "?")
	var query string
	if hasQuery {
		i = 1
		for ; i < len(rest) && rest[i] != '#'; i++ {
			if c := rest[i]; c <= ' ' || c >= 0x7f {
				return false
			}
		}
		query, rest = rest[1:i], rest[i:]
	}
	var fragment string
	if rest != "" { // '#'
		fragment = rest[1:]
		for i := 0; i < len(fragment); i++ {
			if c := fragment[i]; c <= ' ' || c >= 0x7f || c == '%' {
				return false
			}
		}
	}
	if path == "" {
		path = "/"
	}
	if upper || port >= 0 {
		// A host in lower case without a port is as normalizeHost
		// leaves it.
		host = normalizeHost(scheme, host)
	}
	*w = URL{scheme: scheme, host: host, path: path, fragment: fragment}
	if hasQuery {
		w.query, w.hasQuery = encodeQueryChars(query), true
		w.params = parseFormQuery(w.query)
	}
	return true
}

// plainHostByte and plainPathByte are the bytes parsePlainURL takes in a
// host name and in a path.
var plainHostByte, plainPathByte = func() (host, path [256]bool) {
	for c := 0; c < 256; c++ {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		host[c] = alnum || c == '.' || c == '-'
		path[c] = alnum || c < 0x80 && strings.IndexByte("-._~!$&'()*+,;=:@/", byte(c)) >= 0
	}
	return host, path
}()

// URLFromParts builds a URL from its parts as they are, for a base the
// parser refuses: nothing is checked or normalised.
func URLFromParts(scheme, host, path string) *URL {
	return &URL{scheme: scheme, host: host, path: path}
}

func normalizeHost(scheme, host string) string {
	host = strings.ToLower(host)
	if h, port, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		if scheme == "https" && port == "443" || scheme == "http" && port == "80" || port == "" {
			return h
		}
	}
	return host
}

// encodeQueryChars percent-encodes what the WHATWG parser encodes in the
// query of a special URL.
func encodeQueryChars(q string) string {
	i := 0
	for i < len(q) && !queryEncodes(q[i]) {
		i++
	}
	if i == len(q) {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	b.WriteString(q[:i])
	for ; i < len(q); i++ {
		c := q[i]
		if queryEncodes(c) {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// queryEncodes tells the bytes the special-query percent-encode set holds.
func queryEncodes(c byte) bool {
	return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\''
}

// Clone is new URL(u): a copy to change.
func (w *URL) Clone() *URL {
	c := *w
	c.params = append([]Param(nil), w.params...)
	return &c
}

// Scheme is the protocol without its colon, lower case.
func (w *URL) Scheme() string { return w.scheme }

// Pathname is the escaped path.
func (w *URL) Pathname() string { return w.path }

// Params returns the query parameters in order; the caller must not change
// them.
func (w *URL) Params() []Param { return w.params }

// Origin is the serialized origin, e.g. "https://example.com".
func (w *URL) Origin() string { return w.scheme + "://" + w.host }

// Hostname is the host without its port.
func (w *URL) Hostname() string {
	if strings.HasPrefix(w.host, "[") {
		if i := strings.Index(w.host, "]"); i > 0 {
			return w.host[:i+1]
		}
	}
	h, _, _ := strings.Cut(w.host, ":")
	return h
}

// Href is the serialized URL (toString()).
func (w *URL) Href() string {
	var b strings.Builder
	b.WriteString(w.Origin())
	b.WriteString(w.path)
	if w.hasQuery {
		b.WriteByte('?')
		b.WriteString(w.query)
	}
	if w.fragment != "" {
		b.WriteByte('#')
		b.WriteString(w.fragment)
	}
	return b.String()
}

// Get is searchParams.get: the first value of a parameter.
func (w *URL) Get(name string) (string, bool) {
	for _, p := range w.params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Has is searchParams.has.
func (w *URL) Has(name string) bool { _, ok := w.Get(name); return ok }

// Delete is searchParams.delete: every parameter called name goes.
func (w *URL) Delete(name string) {
	kept := w.params[:0]
	for _, p := range w.params {
		if p.Name != name {
			kept = append(kept, p)
		}
	}
	w.params = kept
	w.update()
}

// Append is searchParams.append.
func (w *URL) Append(name, value string) {
	w.params = append(w.params, Param{name, value})
	w.update()
}

// Set is searchParams.set: it replaces the first parameter called name
// and drops the others, or appends it.
func (w *URL) Set(name, value string) {
	found := false
	kept := w.params[:0]
	for _, p := range w.params {
		if p.Name == name {
			if found {
				continue
			}
			found = true
			p.Value = value
		}
		kept = append(kept, p)
	}
	w.params = kept
	if !found {
		w.params = append(w.params, Param{name, value})
	}
	w.update()
}

func (w *URL) update() {
	w.query = serializeForm(w.params)
	w.hasQuery = w.query != ""
}

func serializeForm(ps []Param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		formEscape(&b, p.Name)
		b.WriteByte('=')
		formEscape(&b, p.Value)
	}
	return b.String()
}

func formEscape(b *strings.Builder, s string) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
}

// parseFormQuery is the application/x-www-form-urlencoded parser.
func parseFormQuery(q string) []Param {
	if q == "" {
		return nil
	}
	out := make([]Param, 0, strings.Count(q, "&")+1)
	for q != "" {
		var part string
		part, q, _ = strings.Cut(q, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, Param{formUnescape(name), formUnescape(value)})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func formUnescape(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	return percentDecodeLoose(s)
}

// percentDecodeLoose decodes %XX sequences and leaves malformed ones as
// they are; the bytes are then read as UTF-8 with replacement characters.
func percentDecodeLoose(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && IsHex(s[i+1]) && IsHex(s[i+2]) {
			buf = append(buf, Unhex(s[i+1])<<4|Unhex(s[i+2]))
			i += 2
			continue
		}
		buf = append(buf, s[i])
	}
	if !utf8.Valid(buf) {
		return strings.ToValidUTF8(string(buf), "\uFFFD")
	}
	return string(buf)
}

// DecodeURIComponent is JavaScript's decodeURIComponent; ok is false where it
// would throw (malformed escapes or invalid UTF-8).
func DecodeURIComponent(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			buf = append(buf, s[i])
			continue
		}
		if i+2 >= len(s) || !IsHex(s[i+1]) || !IsHex(s[i+2]) {
			return "", false
		}
		buf = append(buf, Unhex(s[i+1])<<4|Unhex(s[i+2]))
		i += 2
	}
	if !utf8.Valid(buf) {
		return "", false
	}
	return string(buf), true
}

// IsHex reports whether c is a hexadecimal digit.
func IsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// Unhex is the value of the hexadecimal digit c.
func Unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// WithOrigin returns w re-based on another origin ("proto://host"), as
// new URL(pathname + search, origin) does; ok is false if origin does not
// parse.
func (w *URL) WithOrigin(origin string) (*URL, bool) {
	base, err := ParseURL(origin)
	if err != nil || base.host == "" {
		return nil, false
	}
	c := w.Clone()
	c.scheme = base.scheme
	c.host = normalizeHost(base.scheme, base.host)
	c.fragment = ""
	return c, true
}

// whatwgPrepare does what the WHATWG URL parser does to its input before
// Go's parser sees it: leading and trailing C0 controls and spaces go, every
// ASCII tab and newline goes, and the other C0 controls and DEL are
// percent-encoded (they are in the path, query and fragment encode sets;
// in a host they stay invalid, as %-escapes, so the host still fails).
func whatwgPrepare(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
	if strings.ContainsAny(s, "\t\n\r") {
		s = tabsAndNewlines.Replace(s)
	}
	return encodeControls(s)
}

var tabsAndNewlines = strings.NewReplacer("\t", "", "\n", "", "\r", "")

// encodeControls percent-encodes the C0 controls and DEL.
func encodeControls(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
