package js

import (
	"fmt"
	"strings"

	"github.com/dlclark/regexp2"
)

// PathMatcher is path-to-regexp 6.x's match(), which the SDK uses for
// organizationSyncOptions. Patterns are JavaScript regular expressions
// (custom groups such as "(.*)" and the lookaheads the library generates),
// so they run on an ECMAScript-compatible engine rather than RE2.
type PathMatcher struct {
	re   *regexp2.Regexp
	keys []ptrKey
}

type ptrKey struct {
	name     string
	prefix   string
	suffix   string
	pattern  string
	modifier string
}

type ptrToken struct {
	kind  string
	index int
	value string
}

func ptrLex(s string) ([]ptrToken, error) {
	var toks []ptrToken
	r := []rune(s)
	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case c == '*' || c == '+' || c == '?':
			toks = append(toks, ptrToken{"MODIFIER", i, string(c)})
			i++
		case c == '\\':
			if i+1 >= len(r) {
				toks = append(toks, ptrToken{"ESCAPED_CHAR", i, ""})
				i += 2
				continue
			}
			toks = append(toks, ptrToken{"ESCAPED_CHAR", i, string(r[i+1])})
			i += 2
		case c == '{':
			toks = append(toks, ptrToken{"OPEN", i, "{"})
			i++
		case c == '}':
			toks = append(toks, ptrToken{"CLOSE", i, "}"})
			i++
		case c == ':':
			name := ""
			j := i + 1
			for j < len(r) {
				d := r[j]
				if d >= '0' && d <= '9' || d >= 'A' && d <= 'Z' || d >= 'a' && d <= 'z' || d == '_' {
					name += string(d)
					j++
					continue
				}
				break
			}
			if name == "" {
				return nil, fmt.Errorf("Missing parameter name at %d", i)
			}
			toks = append(toks, ptrToken{"NAME", i, name})
			i = j
		case c == '(':
			count := 1
			pattern := ""
			j := i + 1
			if j < len(r) && r[j] == '?' {
				return nil, fmt.Errorf("Pattern cannot start with \"?\" at %d", j)
			}
			for j < len(r) {
				if r[j] == '\\' {
					pattern += string(r[j])
					if j+1 < len(r) {
						pattern += string(r[j+1])
					}
					j += 2
					continue
				}
				if r[j] == ')' {
					count--
					if count == 0 {
						j++
						break
					}
				} else if r[j] == '(' {
					count++
					if j+1 >= len(r) || r[j+1] != '?' {
						return nil, fmt.Errorf("Capturing groups are not allowed at %d", j)
					}
				}
				pattern += string(r[j])
				j++
			}
			if count != 0 {
				return nil, fmt.Errorf("Unbalanced pattern at %d", i)
			}
			if pattern == "" {
				return nil, fmt.Errorf("Missing pattern at %d", i)
			}
			toks = append(toks, ptrToken{"PATTERN", i, pattern})
			i = j
		default:
			toks = append(toks, ptrToken{"CHAR", i, string(c)})
			i++
		}
	}
	toks = append(toks, ptrToken{"END", len(r), ""})
	return toks, nil
}

const ptrDelimiter = "/#?"

func ptrEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(".+*?=^!:${}()[]|/\\", c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ptrParse returns strings and keys in order.
func ptrParse(s string) ([]any, error) {
	toks, err := ptrLex(s)
	if err != nil {
		return nil, err
	}
	var result []any
	key := 0
	i := 0
	path := ""
	try := func(kind string) (string, bool) {
		if i < len(toks) && toks[i].kind == kind {
			i++
			return toks[i-1].value, true
		}
		return "", false
	}
	must := func(kind string) error {
		if _, ok := try(kind); ok {
			return nil
		}
		return fmt.Errorf("Unexpected %s at %d, expected %s", toks[i].kind, toks[i].index, kind)
	}
	consumeText := func() string {
		out := ""
		for {
			if v, ok := try("CHAR"); ok {
				out += v
				continue
			}
			if v, ok := try("ESCAPED_CHAR"); ok {
				out += v
				continue
			}
			return out
		}
	}
	safePattern := func(prefix string) (string, error) {
		var prev any
		if len(result) > 0 {
			prev = result[len(result)-1]
		}
		p := prefix
		if p == "" {
			if s, ok := prev.(string); ok {
				p = s
			}
		}
		if prev != nil && p == "" {
			if k, ok := prev.(ptrKey); ok {
				return "", fmt.Errorf("Must have text between two parameters, missing text after %q", k.name)
			}
		}
		if p == "" || strings.ContainsAny(p, ptrDelimiter) {
			return "[^" + ptrEscape(ptrDelimiter) + "]+?", nil
		}
		return "(?:(?!" + ptrEscape(p) + ")[^" + ptrEscape(ptrDelimiter) + "])+?", nil
	}
	for i < len(toks) {
		char, _ := try("CHAR")
		name, hasName := try("NAME")
		pattern, hasPattern := try("PATTERN")
		if hasName || hasPattern {
			prefix := char
			if !strings.Contains("./", prefix) || prefix == "" {
				path += prefix
				prefix = ""
			}
			if path != "" {
				result = append(result, path)
				path = ""
			}
			if !hasName {
				name = fmt.Sprint(key)
				key++
			}
			if !hasPattern {
				pattern, err = safePattern(prefix)
				if err != nil {
					return nil, err
				}
			}
			mod, _ := try("MODIFIER")
			result = append(result, ptrKey{name: name, prefix: prefix, pattern: pattern, modifier: mod})
			continue
		}
		value := char
		if value == "" {
			value, _ = try("ESCAPED_CHAR")
		}
		if value != "" {
			path += value
			continue
		}
		if path != "" {
			result = append(result, path)
			path = ""
		}
		if _, ok := try("OPEN"); ok {
			prefix := consumeText()
			name, _ := try("NAME")
			pattern, _ := try("PATTERN")
			suffix := consumeText()
			if err := must("CLOSE"); err != nil {
				return nil, err
			}
			k := ptrKey{name: name, prefix: prefix, suffix: suffix, pattern: pattern}
			if name == "" && pattern != "" {
				k.name = fmt.Sprint(key)
				key++
			}
			if name != "" && pattern == "" {
				k.pattern, err = safePattern(prefix)
				if err != nil {
					return nil, err
				}
			}
			k.modifier, _ = try("MODIFIER")
			result = append(result, k)
			continue
		}
		if err := must("END"); err != nil {
			return nil, err
		}
	}
	return result, nil
}

func ptrSource(s string, keys *[]ptrKey) (string, error) {
	tokens, err := ptrParse(s)
	if err != nil {
		return "", err
	}
	delim := "[" + ptrEscape(ptrDelimiter) + "]"
	route := "^"
	for _, t := range tokens {
		if str, ok := t.(string); ok {
			route += ptrEscape(str)
			continue
		}
		k := t.(ptrKey)
		prefix, suffix := ptrEscape(k.prefix), ptrEscape(k.suffix)
		if k.pattern != "" {
			*keys = append(*keys, k)
			if prefix != "" || suffix != "" {
				if k.modifier == "+" || k.modifier == "*" {
					mod := ""
					if k.modifier == "*" {
						mod = "?"
					}
					route += "(?:" + prefix + "((?:" + k.pattern + ")(?:" + suffix + prefix + "(?:" + k.pattern + "))*)" + suffix + ")" + mod
				} else {
					route += "(?:" + prefix + "(" + k.pattern + ")" + suffix + ")" + k.modifier
				}
			} else {
				if k.modifier == "+" || k.modifier == "*" {
					return "", fmt.Errorf("Can not repeat %q without a prefix and suffix", k.name)
				}
				route += "(" + k.pattern + ")" + k.modifier
			}
		} else {
			route += "(?:" + prefix + suffix + ")" + k.modifier
		}
	}
	route += delim + "?$"
	return route, nil
}

// NewPathMatcher compiles one pattern or a list (joined as alternatives),
// case-insensitively, as match() does by default. A nil list means no
// matcher; an empty list matches every path, as in the SDK.
func NewPathMatcher(patterns []string) (*PathMatcher, error) {
	m := &PathMatcher{}
	var srcs []string
	for _, p := range patterns {
		src, err := ptrSource(p, &m.keys)
		if err != nil {
			return nil, fmt.Errorf("Invalid pattern %q: Error: Invalid path and options: Consult the documentation of path-to-regexp here: https://github.com/pillarjs/path-to-regexp/tree/6.x\n%s", strings.Join(patterns, ","), err)
		}
		srcs = append(srcs, src)
	}
	src := "(?:" + strings.Join(srcs, "|") + ")"
	re, err := regexp2.Compile(src, regexp2.ECMAScript|regexp2.IgnoreCase)
	if err != nil {
		return nil, fmt.Errorf("invalid organization pattern %q: %w", strings.Join(patterns, ","), err)
	}
	m.re = re
	return m, nil
}

// Match returns the params of a matching path, or ok=false.
func (m *PathMatcher) Match(path string) (map[string]string, bool) {
	res, err := m.re.FindStringMatch(path)
	if err != nil || res == nil {
		return nil, false
	}
	params := map[string]string{}
	groups := res.Groups()
	for gi := 1; gi < len(groups); gi++ {
		g := groups[gi]
		if len(g.Captures) == 0 || gi-1 >= len(m.keys) {
			continue
		}
		k := m.keys[gi-1]
		params[k.name] = g.String()
	}
	return params, true
}
