package bapi

import (
	"fmt"
	"strings"
	"time"
)

// Error is a failed Backend API call: the HTTP status, Clerk's error code
// and messages, the trace id support asks for, and Retry-After. It never
// holds the secret key.
type Error struct {
	Path string
	// Endpoint is the call without its ids, e.g. "GET /v1/sessions/{id}":
	// the unit a run gives up on.
	Endpoint    string
	Status      int
	Code        string
	Message     string
	LongMessage string
	TraceID     string
	RetryAfter  time.Duration
	// Waited is how long the client waited for Retry-After before giving up.
	Waited time.Duration
	// GaveUp is set on a 429 the client stopped retrying.
	GaveUp bool
	// BudgetSpent and Budget are set when the run's Retry-After budget
	// had no room for this wait: the waits so far, and the cap.
	BudgetSpent, Budget time.Duration
	// Retried is how many times a 5xx or a broken connection was retried.
	Retried int
	// Redirect is where a 3xx pointed (never followed).
	Redirect string
	// Snippet is the start of a body that was not Clerk's JSON.
	Snippet string
	// Transport is set when no complete HTTP answer arrived.
	Transport bool
	// Timeout is set when the answer did not come in time.
	Timeout bool
	// Repeat is set when the call was not made: its endpoint already
	// failed this way in this run.
	Repeat bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("Backend API ")
	b.WriteString(e.Path)
	if e.Repeat {
		b.WriteString(": not called: " + e.Endpoint + " already failed in this run (" + e.reason() + ")")
		return b.String()
	}
	if e.Status > 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	msg := e.LongMessage
	if msg == "" {
		msg = e.Message
	}
	if msg != "" {
		b.WriteString(": " + msg)
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, " (body: %q)", e.Snippet)
	}
	if e.TraceID != "" {
		b.WriteString(" [trace " + e.TraceID + "]")
	}
	if hint := e.Hint(); hint != "" {
		b.WriteString(" — " + hint)
	}
	return b.String()
}

// reason is the failure in a few words, the same for every call of an
// endpoint (no ids): what a fail-fast error and the run's notice repeat.
func (e *Error) reason() string {
	switch {
	case e.Timeout:
		return e.Message
	case e.Status == 429 && e.Budget > 0:
		return fmt.Sprintf("rate limited (HTTP 429, Retry-After %s) with %s of the run's %s wait budget already spent", e.RetryAfter.Round(time.Second), e.BudgetSpent.Round(time.Second), e.Budget)
	case e.Status == 429 && e.Waited > 0:
		return fmt.Sprintf("rate limited (HTTP 429): waited %s, then gave up (Retry-After %s)", e.Waited, e.RetryAfter.Round(time.Second))
	case e.Status == 429:
		return fmt.Sprintf("rate limited (HTTP 429, Retry-After %s)", e.RetryAfter.Round(time.Second))
	case e.Transport:
		return e.Message + fmt.Sprintf(" (tried %d times)", e.Retried+1)
	case e.Status >= 500:
		s := fmt.Sprintf("HTTP %d", e.Status)
		if e.Code != "" {
			s += " " + e.Code
		}
		return s + fmt.Sprintf(" (tried %d times)", e.Retried+1)
	}
	return fmt.Sprintf("HTTP %d %s", e.Status, e.Message)
}

// Hint says what to do about the error.
func (e *Error) Hint() string {
	switch {
	case e.Transport:
		return "check the network and CLERK_API_URL"
	case e.Status >= 300 && e.Status <= 399:
		return "CLERK_API_URL must be the Backend API's origin itself (https://api.clerk.com), not an address that redirects"
	case e.Status == 401:
		return "the secret key is wrong or revoked: copy the current one from the Clerk dashboard (API keys)"
	case e.Status == 403:
		return "the key is valid but not allowed this call (is the feature, e.g. organizations, enabled?)"
	case e.Status == 404:
		return "not in this instance: is the secret key from the same instance (development vs production) as the token?"
	case e.Status == 422:
		return "Clerk rejected a parameter"
	case e.Status == 429 && e.Budget > 0:
		return fmt.Sprintf("rate limited: Retry-After %s does not fit in what is left of this run's %s wait budget (%s spent); try again later", e.RetryAfter.Round(time.Second), e.Budget, e.BudgetSpent.Round(time.Second))
	case e.Status == 429 && e.GaveUp:
		if e.Waited > 0 {
			return fmt.Sprintf("rate limited: waited %s, then gave up; Retry-After %s", e.Waited, e.RetryAfter)
		}
		return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter.Round(time.Second))
	case e.Status == 429:
		return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter.Round(time.Second))
	case e.Status >= 500:
		return "Clerk's side failed (retried); try again later and quote the trace id to Clerk support"
	}
	return ""
}

// NotFound reports a 404.
func (e *Error) NotFound() bool { return e.Status == 404 }
