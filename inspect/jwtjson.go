package inspect

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A token's header and claims are small JSON objects of plain keys,
// strings, integers and short arrays, and decoding them with
// encoding/json was the largest part of what a verdict cost besides the
// RSA check at the first sight of a token. tokenJSON decodes exactly that shape by
// hand and hands anything else to encoding/json, so that the value is
// always the one json.Unmarshal gives into an any (TestTokenJSON and
// FuzzTokenJSON compare them).

// maxTokenJSONDepth is how deep tokenJSON nests objects and arrays before
// it leaves the input to encoding/json (whose own limit is 10 000).
const maxTokenJSONDepth = 32

// tokenJSON is json.Unmarshal of s into an any. The value's strings are
// substrings of s.
func tokenJSON(s string) (any, error) {
	if v, ok := parseTokenJSON(s); ok {
		return v, nil
	}
	var v any
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

// parseTokenJSON decodes s when it is valid JSON without escapes in its
// strings, with numbers strconv reads as encoding/json does and nested at
// most maxTokenJSONDepth deep. ok is false for anything else, valid or
// not: the caller asks encoding/json then.
func parseTokenJSON(s string) (v any, ok bool) {
	p := tokenParser{s: s}
	p.space()
	v, ok = p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.i == len(s)
}

type tokenParser struct {
	s string
	i int
}

// space skips JSON's four whitespace characters.
func (p *tokenParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *tokenParser) value(depth int) (any, bool) {
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return s, true
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.word("true")
	case c == 'f':
		return false, p.word("false")
	case c == 'n':
		return nil, p.word("null")
	}
	return nil, false
}

func (p *tokenParser) word(w string) bool {
	if len(p.s)-p.i < len(w) || p.s[p.i:p.i+len(w)] != w {
		return false
	}
	p.i += len(w)
	return true
}

// objectField is one member of an object, in the order of the text.
type objectField struct {
	key   string
	value any
}

// object reads an object. Its members are gathered first so that the map
// is made at its size; a repeated key keeps its last value, as
// encoding/json's does.
func (p *tokenParser) object(depth int) (any, bool) {
	if depth > maxTokenJSONDepth {
		return nil, false
	}
	p.i++ // '{'
	var buf [16]objectField
	fields := buf[:0]
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return map[string]any{}, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		fields = append(fields, objectField{k, v})
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
			continue
		case '}':
			p.i++
			m := make(map[string]any, len(fields))
			for _, f := range fields {
				m[f.key] = f.value
			}
			return m, true
		}
		return nil, false
	}
}

// array reads an array; an empty one is an empty slice, not nil, as
// encoding/json makes it.
func (p *tokenParser) array(depth int) (any, bool) {
	if depth > maxTokenJSONDepth {
		return nil, false
	}
	p.i++ // '['
	var buf [8]any
	items := buf[:0]
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return []any{}, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		items = append(items, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
			continue
		case ']':
			p.i++
			return append([]any(nil), items...), true
		}
		return nil, false
	}
}

// str reads a string without escapes, of valid UTF-8 without control
// characters: then its value is its text. Anything else (an escape, a
// byte that encoding/json would replace) is left to encoding/json.
func (p *tokenParser) str() (string, bool) {
	start := p.i + 1
	j := start
	for j < len(p.s) && plainStringByte[p.s[j]] {
		j++
	}
	if j == len(p.s) {
		return "", false
	}
	ascii := true
	for p.s[j] != '"' {
		if p.s[j] < utf8.RuneSelf {
			return "", false // an escape or a control character
		}
		ascii = false
		j++
		for j < len(p.s) && (plainStringByte[p.s[j]] || p.s[j] >= utf8.RuneSelf) {
			j++
		}
		if j == len(p.s) {
			return "", false
		}
	}
	s := p.s[start:j]
	if !ascii && !utf8.ValidString(s) {
		return "", false
	}
	p.i = j + 1
	return s, true
}

// plainStringByte marks the ASCII bytes that stand for themselves in a
// JSON string: not a control character, a quote or a backslash.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// number reads a number of JSON's grammar,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, as encoding/json does:
// strconv.ParseFloat of its text. An integer of at most 15 digits (a
// token's times) is below 2^53, so it is computed directly: ParseFloat
// gives the same, exactly. A number ParseFloat refuses (out of range) is
// left to encoding/json, whose error it is.
func (p *tokenParser) number() (any, bool) {
	s, start := p.s, p.i
	j := start
	neg := s[j] == '-'
	if neg {
		j++
	}
	digits := j
	if j < len(s) && s[j] == '0' {
		j++
	} else {
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	}
	if j == digits {
		return nil, false
	}
	intEnd := j
	if j < len(s) && s[j] == '.' {
		j++
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return nil, false
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return nil, false
		}
	}
	p.i = j
	if j == intEnd && intEnd-digits <= 15 {
		var n int64
		for _, c := range []byte(s[digits:intEnd]) {
			n = n*10 + int64(c-'0')
		}
		f := float64(n)
		if neg {
			f = -f // -0 stays negative zero, as ParseFloat reads it
		}
		return f, true
	}
	f, err := strconv.ParseFloat(s[start:j], 64)
	if err != nil {
		return nil, false
	}
	return f, true
}
