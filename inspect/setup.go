package inspect

import (
	"context"
	"strings"
	"time"
)

// Setup is how a request is judged: the app's options and what clerkscope
// may use besides them. One Setup judges every request of a capture.
type Setup struct {
	Options Options
	// Complete is true when the options are the app's whole configuration
	// (a --config file or a scenario): then a missing secret key makes the
	// SDK throw, as it would in the app. Otherwise the missing pieces are
	// inferred and every assumption is listed in the verdict.
	Complete bool
	// Keys overrides jwtKey / the Backend API's JWKS (a JWKS file).
	Keys KeySource
	// Backend answers Backend API calls (canned answers, or a read-only
	// client for the JWKS). Nil: canned answers from Options.API only.
	Backend Backend
	// Now fixes the clock for every request (--now).
	Now *time.Time
	// Context bounds key fetches.
	Context context.Context
	// InferredFrom says where Options.PublishableKey was inferred from
	// (a capture's Frontend API traffic), when it was not given.
	InferredFrom string
}

// Observation is what the application's actual response showed, used to
// settle Backend API calls clerkscope does not make.
type Observation struct {
	SetCookies []string
	Headers    []Header
}

// Result is a verdict with its explanation and the time it was judged at.
type Result struct {
	Verdict     *Verdict
	Explanation Explanation
	At          time.Time
}

// Judge judges req at time at (the request's own time; Setup.Now wins).
func (s *Setup) Judge(req Request, at time.Time, obs *Observation) Result {
	if s.Now != nil {
		at = *s.Now
	}
	opts := s.Options
	inferred := s.InferredFrom
	if opts.PublishableKey == "" && !s.Complete {
		if key, from := InferPublishableKey(req); key != "" {
			opts.PublishableKey = key
			inferred = "from the " + from
		}
	}
	env := Env{Now: at, Keys: s.Keys, Backend: s.Backend, Infer: !s.Complete, Context: s.Context}
	if obs != nil {
		inner := env.Backend
		if inner == nil {
			inner = Canned{API: opts.API}
		}
		ob := Observed{Inner: inner, SetCookies: obs.SetCookies}
		for _, h := range obs.Headers {
			switch strings.ToLower(h.Name) {
			case "access-control-allow-origin":
				ob.Resolved = ob.Resolved || h.Value == "null"
			case "x-clerk-auth-status":
				ob.AuthStatus = h.Value
			}
		}
		env.Backend = ob
	}
	v := Judge(req, opts, env)
	if inferred != "" {
		v.Instance.Inferred = inferred
		v.Assumptions = append([]string{"the instance (" + v.Instance.FrontendAPI + ") was inferred " + inferred + "; pass --publishable-key to judge against your app's own key"}, v.Assumptions...)
	}
	return Result{Verdict: v, Explanation: Explain(v, at), At: at}
}
