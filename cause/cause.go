// Package cause is the shape of what clerkscope names behind a failure,
// shared by the requests' diagnoses (har.Diagnosis) and the webhook
// deliveries' (webhook.Diagnosis): a catalogue entry (Entry: a stable code,
// whether it is a problem, why, the fix, the docs) and the finding raised
// from evidence (Finding: the entry with its title and how sure it is).
// Each diagnosis adds what it points at (HAR entries, deliveries) and the
// evidence seen.
package cause

import "slices"

// Confidence says how sure a finding is.
const (
	// Certain: the input proves it (the server's own words, a measured
	// clock, a signature that matches the body before it was changed).
	Certain = "certain"
	// Likely: the evidence fits it and nothing else seen explains it.
	Likely = "likely"
	// Possible: worth checking; the input cannot tell it apart from
	// another cause.
	Possible = "possible"
)

// Entry is one cause of a catalogue.
type Entry struct {
	Code string
	// Problem is false for what happens in a healthy app (a handshake after
	// the tab slept, a real sign-out, a delivery that verifies): said so
	// the user stops looking.
	Problem bool
	Why     string
	Fix     []string
	Docs    string
}

// Finding is a cause raised from evidence, as the outputs show it.
type Finding struct {
	Code       string `json:"code"`
	Confidence string `json:"confidence"`
	// Problem is false for what a healthy app does (shown so the reader
	// stops looking there).
	Problem bool     `json:"problem"`
	Title   string   `json:"title"`
	Why     string   `json:"why"`
	Fix     []string `json:"fix"`
	Docs    string   `json:"docs,omitempty"`
}

// Found is the entry raised with a title at a confidence. The fix is a
// copy, so a finding can be edited without touching the catalogue.
func (e Entry) Found(confidence, title string) Finding {
	return Finding{Code: e.Code, Confidence: confidence, Problem: e.Problem, Title: title, Why: e.Why,
		Fix: slices.Clone(e.Fix), Docs: e.Docs}
}
