package har

import (
	"net/url"
	"strings"
)

// urlCache holds the host and origin of the URL parsed last: the analysis
// asks for those of an entry's URL half a dozen times (its clock, its
// proxy, its facts), and net/url's parse was a visible part of judging a
// capture. One Analyzer and its Story share one; it is not for concurrent
// use.
type urlCache struct {
	raw            string
	hostv, originv string
	ok             bool
}

func (c *urlCache) parse(raw string) {
	if c.ok && c.raw == raw {
		return
	}
	c.raw, c.ok = raw, true
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		c.hostv, c.originv = "", raw
	case u.Host == "":
		c.hostv, c.originv = "", raw
	default:
		c.hostv, c.originv = strings.ToLower(u.Host), u.Scheme+"://"+u.Host
	}
}

// host is hostOf(raw). A nil cache parses each time.
func (c *urlCache) host(raw string) string {
	if c == nil {
		return hostOf(raw)
	}
	c.parse(raw)
	return c.hostv
}

// origin is originOf(raw). A nil cache parses each time.
func (c *urlCache) origin(raw string) string {
	if c == nil {
		return originOf(raw)
	}
	c.parse(raw)
	return c.originv
}

// urlCache is the story's, nil without one (and for a nil story).
func (s *Story) urlCache() *urlCache {
	if s == nil {
		return nil
	}
	return s.urls
}
