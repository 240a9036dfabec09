package inspect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// ParseCurl reads a "Copy as cURL" command, in bash or Windows cmd quoting,
// into a request: the URL, -X, every -H, and -b/--cookie.
func ParseCurl(cmd string) (Request, error) {
	var args []string
	var err error
	if isCmdQuoting(cmd) {
		args, err = splitCmd(cmd)
	} else {
		args, err = splitShell(cmd)
	}
	if err != nil {
		return Request{}, err
	}
	if len(args) == 0 || !strings.EqualFold(args[0], "curl") && !strings.HasSuffix(strings.ToLower(args[0]), "curl.exe") {
		return Request{}, errors.New("curl: the command does not start with curl")
	}
	req := Request{}
	var cookies []string
	hasData, get, head := false, false, false
	next := func(i *int, flag string) (string, error) {
		if *i+1 >= len(args) {
			return "", fmt.Errorf("curl: %s needs a value", flag)
		}
		*i++
		return args[*i], nil
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		flag, inline, hasInline := a, "", false
		if strings.HasPrefix(a, "--") {
			flag, inline, hasInline = strings.Cut(a, "=")
		} else if len(a) > 2 && a[0] == '-' && strings.ContainsRune("HbXAeudo", rune(a[1])) {
			flag, inline, hasInline = a[:2], a[2:], true
		}
		val := func() (string, error) {
			if hasInline {
				return inline, nil
			}
			return next(&i, flag)
		}
		switch flag {
		case "-H", "--header":
			v, err := val()
			if err != nil {
				return req, err
			}
			name, value, ok := strings.Cut(v, ":")
			if !ok {
				continue
			}
			value = strings.TrimLeft(value, " \t")
			if strings.EqualFold(strings.TrimSpace(name), "cookie") {
				cookies = append(cookies, value)
				continue
			}
			req.Add(strings.TrimSpace(name), value)
		case "-b", "--cookie":
			v, err := val()
			if err != nil {
				return req, err
			}
			if strings.Contains(v, "=") {
				cookies = append(cookies, v)
			}
		case "-X", "--request":
			v, err := val()
			if err != nil {
				return req, err
			}
			req.Method = strings.ToUpper(v)
		case "-A", "--user-agent":
			v, err := val()
			if err != nil {
				return req, err
			}
			req.Add("user-agent", v)
		case "-e", "--referer":
			v, err := val()
			if err != nil {
				return req, err
			}
			req.Add("referer", v)
		case "--url":
			v, err := val()
			if err != nil {
				return req, err
			}
			req.URL = v
		case "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "--json", "-F", "--form":
			if _, err := val(); err != nil {
				return req, err
			}
			hasData = true
		case "-u", "--user", "-o", "--output", "--connect-timeout", "-m", "--max-time", "--proxy", "-x", "--cacert", "--cert", "--key", "-w", "--write-out":
			if _, err := val(); err != nil {
				return req, err
			}
		case "-G", "--get":
			get = true
		case "-I", "--head":
			head = true
		default:
			if !strings.HasPrefix(a, "-") && req.URL == "" {
				req.URL = a
			}
		}
	}
	if req.URL == "" {
		return req, errors.New("curl: no URL in the command")
	}
	if !strings.Contains(req.URL, "://") {
		req.URL = "https://" + req.URL
	}
	if len(cookies) > 0 {
		req.Add("cookie", strings.Join(cookies, "; "))
	}
	if req.Method == "" {
		switch {
		case head:
			req.Method = "HEAD"
		case hasData && !get:
			req.Method = "POST"
		default:
			req.Method = "GET"
		}
	}
	return req, nil
}

// isCmdQuoting tells DevTools' "Copy as cURL (cmd)" apart from bash.
func isCmdQuoting(s string) bool {
	return strings.Contains(s, "^\"") || strings.Contains(s, " ^\n") || strings.Contains(s, " ^\r\n")
}

// splitShell splits a POSIX shell command line: single quotes, double
// quotes with backslash escapes, $'…' ANSI-C strings and backslash-newline
// continuations.
func splitShell(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '\n' || s[i+1] == '\r'):
			i++
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
			inArg = true
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("curl: unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inArg = true
		case c == '$' && i+1 < len(s) && s[i+1] == '\'':
			j := i + 2
			for ; j < len(s) && s[j] != '\''; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						cur.WriteByte('\n')
					case 't':
						cur.WriteByte('\t')
					case 'r':
						cur.WriteByte('\r')
					case 'x':
						if j+2 < len(s) && js.IsHex(s[j+1]) && js.IsHex(s[j+2]) {
							cur.WriteByte(js.Unhex(s[j+1])<<4 | js.Unhex(s[j+2]))
							j += 2
						}
					case 'u':
						if j+4 < len(s) {
							var r rune
							ok := true
							for k := 1; k <= 4; k++ {
								if !js.IsHex(s[j+k]) {
									ok = false
									break
								}
								r = r<<4 | rune(js.Unhex(s[j+k]))
							}
							if ok {
								cur.WriteRune(r)
								j += 4
							}
						}
					default:
						cur.WriteByte(s[j])
					}
					continue
				}
				cur.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("curl: unterminated $'…' string")
			}
			i = j
			inArg = true
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte("\"\\$`\n", s[j+1]) >= 0 {
					j++
					if s[j] == '\n' {
						continue
					}
				}
				cur.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("curl: unterminated double quote")
			}
			i = j
			inArg = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

// splitCmd splits a Windows cmd command line as DevTools writes it, in the
// two stages Windows applies: cmd.exe removes carets ('^' escapes the next
// character; before a newline it continues the line), then the C runtime
// splits arguments ('"' toggles quoting, backslashes escape quotes).
// DevTools also writes "%^" to keep cmd from expanding variables.
func splitCmd(s string) ([]string, error) {
	var stage strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '^' || i+1 >= len(s) {
			stage.WriteByte(c)
			continue
		}
		i++
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		if s[i] == '\n' {
			continue
		}
		stage.WriteByte(s[i])
	}
	line := stage.String()
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(line) && line[i] == '\\' {
				n++
				i++
			}
			if i < len(line) && line[i] == '"' {
				cur.WriteString(strings.Repeat("\\", n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					quoted = !quoted
				}
			} else {
				cur.WriteString(strings.Repeat("\\", n))
				i--
			}
			inArg = true
		case c == '"':
			if quoted && i+1 < len(line) && line[i+1] == '"' {
				cur.WriteByte('"')
				i++
			} else {
				quoted = !quoted
			}
			inArg = true
		case !quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if quoted {
		return nil, errors.New("curl: unterminated quote in the cmd command")
	}
	if inArg {
		args = append(args, cur.String())
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "%^", "%")
	}
	return args, nil
}
