package har

import (
	"time"

	"github.com/clerkscope/clerkscope/inspect"
	"github.com/clerkscope/clerkscope/inspect/webhook"
)

// noteWebhook is said of each delivery's request when it is judged.
const noteWebhook = "a webhook delivery: its request is judged as authenticateRequest sees it (clerkscope webhook verifies its signature and explains the handler's failure)"

// deliveryRequests are the requests of a text input's webhook deliveries,
// to judge as pasted requests: the text's own parse for one raw request
// (parsed, when the text parser read it), else each delivery's method, URL
// and headers, judged as the raw requests they are (as a HAR's entries
// are: a page load only when their headers say so).
func deliveryRequests(ds []*webhook.Delivery, parsed *inspect.Parsed) []*inspect.Parsed {
	out := make([]*inspect.Parsed, 0, len(ds))
	for _, d := range ds {
		if parsed != nil && len(ds) == 1 && d.Source == webhook.SourceHTTP {
			parsed.Notes = append(parsed.Notes, noteWebhook)
			return append(out, parsed)
		}
		p := &inspect.Parsed{Kind: inspect.KindRawHTTP, Request: inspect.Request{Method: d.Method, URL: d.URL}, Notes: []string{noteWebhook}}
		for _, h := range d.Headers {
			p.Request.Headers = append(p.Request.Headers, inspect.Header{Name: h.Name, Value: h.Value})
		}
		out = append(out, p)
	}
	return out
}

// newHookReport judges deliveries with secret, at their own times (at,
// the setup's clock, wins; now for a delivery without one), and compares
// their events' instance with the app's (the setup's keys, else the
// capture's session tokens).
func newHookReport(ds []*webhook.Delivery, setup *inspect.Setup, secret string, at, now time.Time) *webhook.Report {
	rep := webhook.NewReport(ds, secret, at, now)
	rep.CompareInstance(webhook.AppOf(setup))
	return rep
}
