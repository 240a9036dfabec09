package inspect

import (
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"
)

// webURL is the subset of the WHATWG URL the SDK relies on: origin, href and
// URLSearchParams with its serialization rules. Reading a parameter never
// changes the URL; any change through the search params re-serializes the
// whole query as application/x-www-form-urlencoded, exactly as browsers and
// Node do (so "a=b%20c" comes back as "a=b+c").
type webURL struct {
	scheme   string
	host     string // hostname[:port], lower case, default port removed
	path     string // escaped
	query    *string
	fragment string
	params   []param
}

type param struct{ name, value string }

var errNotAbsolute = errors.New("not an absolute http(s) URL")

func parseWebURL(s string) (*webURL, error) {
	s = strings.Trim(s, " \t\r\n\x00")
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" || u.Host == "" && u.Opaque == "" {
		return nil, errNotAbsolute
	}
	w := &webURL{scheme: strings.ToLower(u.Scheme), fragment: u.Fragment}
	w.host = normalizeHost(w.scheme, u.Host)
	w.path = u.EscapedPath()
	if w.path == "" && (w.scheme == "http" || w.scheme == "https") {
		w.path = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		q := encodeQueryChars(u.RawQuery)
		w.query = &q
		w.params = parseFormQuery(q)
	}
	return w, nil
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
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\'' {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (w *webURL) clone() *webURL {
	c := *w
	if w.query != nil {
		q := *w.query
		c.query = &q
	}
	c.params = append([]param(nil), w.params...)
	return &c
}

// origin is the serialized origin, e.g. "https://example.com".
func (w *webURL) origin() string { return w.scheme + "://" + w.host }

func (w *webURL) hostname() string {
	if strings.HasPrefix(w.host, "[") {
		if i := strings.Index(w.host, "]"); i > 0 {
			return w.host[:i+1]
		}
	}
	h, _, _ := strings.Cut(w.host, ":")
	return h
}

// href is the serialized URL (toString()).
func (w *webURL) href() string {
	var b strings.Builder
	b.WriteString(w.origin())
	b.WriteString(w.path)
	if w.query != nil {
		b.WriteByte('?')
		b.WriteString(*w.query)
	}
	if w.fragment != "" {
		b.WriteByte('#')
		b.WriteString(w.fragment)
	}
	return b.String()
}

func (w *webURL) get(name string) (string, bool) {
	for _, p := range w.params {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

func (w *webURL) has(name string) bool { _, ok := w.get(name); return ok }

func (w *webURL) del(name string) {
	kept := w.params[:0]
	for _, p := range w.params {
		if p.name != name {
			kept = append(kept, p)
		}
	}
	w.params = kept
	w.update()
}

func (w *webURL) appendParam(name, value string) {
	w.params = append(w.params, param{name, value})
	w.update()
}

// set replaces the first parameter called name and drops the others, or
// appends it.
func (w *webURL) set(name, value string) {
	found := false
	kept := w.params[:0]
	for _, p := range w.params {
		if p.name == name {
			if found {
				continue
			}
			found = true
			p.value = value
		}
		kept = append(kept, p)
	}
	w.params = kept
	if !found {
		w.params = append(w.params, param{name, value})
	}
	w.update()
}

func (w *webURL) update() {
	s := serializeForm(w.params)
	if s == "" {
		w.query = nil
		return
	}
	w.query = &s
}

func serializeForm(ps []param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		formEscape(&b, p.name)
		b.WriteByte('=')
		formEscape(&b, p.value)
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
func parseFormQuery(q string) []param {
	var out []param
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, param{formUnescape(name), formUnescape(value)})
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
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			buf = append(buf, unhex(s[i+1])<<4|unhex(s[i+2]))
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

// decodeURIComponent is JavaScript's decodeURIComponent; ok is false where it
// would throw (malformed escapes or invalid UTF-8).
func decodeURIComponent(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			buf = append(buf, s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		buf = append(buf, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
	}
	if !utf8.Valid(buf) {
		return "", false
	}
	return string(buf), true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// withOrigin returns w re-based on another origin ("proto://host"), as
// new URL(pathname + search, origin) does; ok is false if origin does not
// parse.
func (w *webURL) withOrigin(origin string) (*webURL, bool) {
	base, err := parseWebURL(origin)
	if err != nil || base.host == "" {
		return nil, false
	}
	c := w.clone()
	c.scheme = base.scheme
	c.host = normalizeHost(base.scheme, base.host)
	c.fragment = ""
	return c, true
}
