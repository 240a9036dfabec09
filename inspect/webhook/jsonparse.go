package webhook

import (
	"strconv"
	"unicode/utf16"
)

// v8JSONError is the message JSON.parse throws for src in Node 20's V8, or
// "" when src is valid JSON. verifyWebhook parses the body only after a
// signature matched, so this text surfaces only for a correctly signed body
// that is not JSON (a hand-made test delivery); the SDK prints it verbatim.
// It follows V8's json-parser.cc: positions count UTF-16 code units, a
// value expected where another token stands is reported by that token, and
// the structural checks carry their own messages.
func v8JSONError(src string) string {
	p := &v8Parser{src: utf16.Encode([]rune(src))}
	p.value()
	if p.err == "" {
		p.skipSpace()
		if p.pos < len(p.src) {
			p.fail("Unexpected non-whitespace character after JSON at position " + strconv.Itoa(p.pos))
		}
	}
	return p.err
}

type v8Parser struct {
	src []uint16
	pos int
	err string
}

func msgAt(m string, pos int) string { return m + " in JSON at position " + strconv.Itoa(pos) }

func (p *v8Parser) fail(m string) {
	if p.err == "" {
		p.err = m
	}
}

func (p *v8Parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// token kinds, as V8's one-character token table has them.
const (
	tokEOS = iota
	tokString
	tokNumber
	tokOther
)

func (p *v8Parser) token() int {
	if p.pos >= len(p.src) {
		return tokEOS
	}
	c := p.src[p.pos]
	switch {
	case c == '"':
		return tokString
	case c == '-' || c >= '0' && c <= '9':
		return tokNumber
	}
	return tokOther
}

// unexpected is ReportUnexpectedToken without a message of its own.
func (p *v8Parser) unexpected() {
	switch p.token() {
	case tokEOS:
		p.fail("Unexpected end of JSON input")
		return
	case tokNumber:
		p.fail(msgAt("Unexpected number", p.pos))
		return
	case tokString:
		p.fail(msgAt("Unexpected string", p.pos))
		return
	}
	whole := string(utf16.Decode(p.src))
	switch whole {
	case "[object Object]", "undefined", "Infinity", "NaN":
		p.fail(`"` + whole + `" is not valid JSON`)
		return
	}
	ch := string(utf16.Decode(p.src[p.pos : p.pos+1]))
	const ctx = 10
	n := len(p.src)
	var snippet string
	switch {
	case n <= 2*ctx:
		snippet = `"` + whole + `"`
	case p.pos < ctx:
		snippet = `"` + string(utf16.Decode(p.src[:p.pos+ctx])) + `"...`
	case p.pos < n-ctx:
		snippet = `..."` + string(utf16.Decode(p.src[p.pos-ctx:p.pos+ctx])) + `"...`
	default:
		snippet = `..."` + string(utf16.Decode(p.src[p.pos-ctx:])) + `"`
	}
	p.fail("Unexpected token '" + ch + "', " + snippet + " is not valid JSON")
}

// expect skips whitespace and consumes c, or fails with m (or by the token
// found when m is empty).
func (p *v8Parser) expect(c uint16, m string) bool {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	if m == "" {
		p.unexpected()
	} else {
		p.fail(msgAt(m, p.pos))
	}
	return false
}

func (p *v8Parser) value() {
	if p.err != "" {
		return
	}
	p.skipSpace()
	if p.pos >= len(p.src) {
		p.unexpected()
		return
	}
	switch c := p.src[p.pos]; {
	case c == '"':
		p.str()
	case c == '-' || c >= '0' && c <= '9':
		p.number()
	case c == '{':
		p.object()
	case c == '[':
		p.array()
	case c == 't':
		p.literal("true")
	case c == 'f':
		p.literal("false")
	case c == 'n':
		p.literal("null")
	default:
		p.unexpected()
	}
}

// literal is ScanLiteral: the first character matched already.
func (p *v8Parser) literal(word string) {
	p.pos++
	for i := 1; i < len(word); i++ {
		if p.pos >= len(p.src) {
			p.unexpected()
			return
		}
		if p.src[p.pos] != uint16(word[i]) {
			p.unexpected()
			return
		}
		p.pos++
	}
}

func isDigit(c uint16) bool { return c >= '0' && c <= '9' }

func (p *v8Parser) digitAt() bool { return p.pos < len(p.src) && isDigit(p.src[p.pos]) }

func (p *v8Parser) number() {
	if p.src[p.pos] == '-' {
		p.pos++
		if !p.digitAt() {
			p.fail(msgAt("No number after minus sign", p.pos))
			return
		}
	}
	if p.src[p.pos] == '0' {
		p.pos++
		if p.digitAt() {
			p.unexpected()
			return
		}
	} else {
		for p.digitAt() {
			p.pos++
		}
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if !p.digitAt() {
			p.fail(msgAt("Unterminated fractional number", p.pos))
			return
		}
		for p.digitAt() {
			p.pos++
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if !p.digitAt() {
			p.fail(msgAt("Exponent part is missing a number", p.pos))
			return
		}
		for p.digitAt() {
			p.pos++
		}
	}
}

func isHex(c uint16) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (p *v8Parser) str() {
	p.pos++ // the opening quote
	for {
		if p.pos >= len(p.src) {
			p.fail(msgAt("Unterminated string", p.pos))
			return
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return
		case c < 0x20:
			p.fail(msgAt("Bad control character in string literal", p.pos))
			return
		case c == '\\':
			p.pos++
			if p.pos >= len(p.src) {
				p.unexpected()
				return
			}
			switch p.src[p.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos++
			case 'u':
				p.pos++
				for i := 0; i < 4; i++ {
					if p.pos >= len(p.src) || !isHex(p.src[p.pos]) {
						p.fail(msgAt("Bad Unicode escape", p.pos))
						return
					}
					p.pos++
				}
			default:
				p.fail(msgAt("Bad escaped character", p.pos))
				return
			}
		default:
			p.pos++
		}
	}
}

func (p *v8Parser) object() {
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return
	}
	first := true
	for {
		m := "Expected double-quoted property name"
		if first {
			m = "Expected property name or '}'"
		}
		p.skipSpace()
		if p.token() != tokString {
			p.fail(msgAt(m, p.pos))
			return
		}
		p.str()
		if p.err != "" {
			return
		}
		colon := ""
		if first {
			colon = "Expected ':' after property name"
		}
		if !p.expect(':', colon) {
			return
		}
		p.value()
		if p.err != "" {
			return
		}
		first = false
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		p.expect('}', "Expected ',' or '}' after property value")
		return
	}
}

func (p *v8Parser) array() {
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return
	}
	for {
		p.value()
		if p.err != "" {
			return
		}
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		p.expect(']', "Expected ',' or ']' after array element")
		return
	}
}
