package webhook

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clerkscope/clerkscope/cause"
	"github.com/clerkscope/clerkscope/inspect"
)

// App is the Clerk instance the app runs against, as far as the input and
// the configuration show it, to compare with each event's instance_id.
type App struct {
	// ID is the instance's id (ins_…), "" when nothing names it.
	ID string `json:"id,omitempty"`
	// From says where ID was read.
	From string `json:"from,omitempty"`
	// Type is development or production, "" when unknown.
	Type string `json:"type,omitempty"`
	// TypeFrom says where Type was read.
	TypeFrom string `json:"typeFrom,omitempty"`
}

// Where App.ID is read from.
const (
	fromCapture = "the key id (kid) of the session tokens in the capture"
	fromJWKS    = "the key id (kid) of the JWKS given"
)

// AppOf is what a setup says of the app's instance: its type from the
// publishable key (else the secret key's sk_test_/sk_live_), its id from
// a JWKS given (--jwks) whose keys name one instance. Clerk signs session
// tokens with a key whose id is the instance's.
func AppOf(setup *inspect.Setup) App {
	var a App
	if setup == nil {
		return a
	}
	if pk := setup.Options.PublishableKey; pk != "" {
		if k, err := inspect.ParsePublishableKey(pk); err == nil {
			a.Type, a.TypeFrom = k.InstanceType, "the publishable key"
		}
	}
	if sk := setup.Options.SecretKey; a.Type == "" && sk != "" {
		switch {
		case strings.HasPrefix(sk, "sk_test_"):
			a.Type, a.TypeFrom = inspect.Development, "the secret key (sk_test_…)"
		case strings.HasPrefix(sk, "sk_live_"):
			a.Type, a.TypeFrom = inspect.Production, "the secret key (sk_live_…)"
		}
	}
	if ks, ok := setup.Keys.(*inspect.JWKS); ok {
		var ids []string
		for _, k := range ks.Keys {
			if strings.HasPrefix(k.KID, "ins_") && !slices.Contains(ids, k.KID) {
				ids = append(ids, k.KID)
			}
		}
		if len(ids) == 1 {
			a.ID, a.From = ids[0], fromJWKS
		}
	}
	return a
}

// Known reports whether the app's instance id is known.
func (a App) Known() bool { return a.ID != "" }

// InstanceNote says how the event's instance_id compares with the app's
// instance, for after it: " (the app's instance, from …)", " (not the
// app's instance ins_…)", "" when either is unknown.
func (j *Judged) InstanceNote() string {
	a, id := j.App, j.Event.InstanceID
	switch {
	case a == nil || id == "":
		return ""
	case a.ID == id:
		return " (the app's instance, from " + a.From + ")"
	}
	return " (not the app's instance " + a.ID + ")"
}

// describe names the app's instance for a sentence: "ins_… (development,
// from …)".
func (a App) describe() string {
	s := a.ID
	var about []string
	if a.Type != "" {
		about = append(about, a.Type)
	}
	if a.From != "" {
		about = append(about, "from "+a.From)
	}
	if len(about) > 0 {
		s += " (" + strings.Join(about, ", ") + ")"
	}
	return s
}

// CompareInstance compares each delivery's instance_id with the app's
// instance (app; when it names none, the instance of the session tokens
// in the same capture) and names a delivery from another instance as a
// cause. Calling it again replaces what an earlier call found.
func (r *Report) CompareInstance(app App) {
	for _, j := range r.Judged {
		a := app
		if !a.Known() && j.Delivery.AppInstance != "" {
			a.ID, a.From = j.Delivery.AppInstance, fromCapture
		}
		j.App = nil
		if a.Known() {
			j.App = &a
		}
		j.Diagnoses = withInstance(j, a, r.Secret)
	}
}

// withInstance is j's diagnoses from Judge with the instance cause, when
// the event names another instance than the app's: before the wrong
// secret it explains, in place of the reading that the delivery verifies.
func withInstance(j *Judged, a App, secret string) []Diagnosis {
	base := j.base
	ev := j.Event
	if !a.Known() || ev.InstanceID == "" || ev.InstanceID == a.ID {
		return base
	}
	dg := instanceCause(j, a, secret)
	dg.Deliveries = []int{j.Position}
	out := slices.DeleteFunc(slices.Clone(base), func(d Diagnosis) bool { return d.Code == CodeVerified })
	if i := slices.IndexFunc(out, func(d Diagnosis) bool { return d.Code == CodeWrongSecret }); i >= 0 {
		return slices.Insert(out, i, dg)
	}
	return append(out, dg)
}

// instanceCause explains a delivery whose event names another instance.
func instanceCause(j *Judged, a App, secret string) Diagnosis {
	other := j.Event.InstanceID
	otherType := ""
	switch a.Type {
	case inspect.Development:
		otherType = "production"
	case inspect.Production:
		otherType = "development"
	}
	evidence := []string{"instance_id " + other, "the app's instance " + a.describe()}
	if a.TypeFrom != "" && a.Type != "" {
		evidence = append(evidence, "the app's instance is "+a.Type+", as "+a.TypeFrom+" says")
	}
	which := "the other instance"
	if otherType != "" {
		which = "the " + otherType + " instance (or another application's)"
	}
	fix := []string{
		fmt.Sprintf("In the Clerk Dashboard, open the instance that sent it (%s: %s) → Webhooks and point its endpoint at the deployment meant for that instance, or remove the endpoint.", other, which),
		"Verify each instance's deliveries with the Signing Secret of that instance's own endpoint: development and production have different endpoints and different secrets (" + EnvSigningSecret + " per deployment).",
	}
	v := j.Verdict
	switch {
	case v.State == Verified:
		c := cause.Entry{Code: CodeOtherInstance, Problem: true, Fix: fix, Docs: docsSyncing,
			Why: fmt.Sprintf("The signature matches, so the secret given belongs to an endpoint of instance %s, yet the app runs against %s: the handler stores the events of another instance (production users in a development database, or the reverse), whose ids the app's own instance does not know.", other, a.describe())}
		return Diagnosis{Finding: c.Found(cause.Likely, "a delivery of another instance ("+other+") verifies, but the app's instance is "+a.ID), Evidence: evidence}
	case v.Failure == FailSignature || v.Failure == FailNoSecret:
		why := fmt.Sprintf("The payload's instance_id is %s, but the app runs against %s. Each Clerk instance has its own webhook endpoints, each signing with its own secret, and the development and production instances are separate: a delivery sent by %s's endpoint does not verify with the secret of the app's instance.", other, a.describe(), other)
		if v.Failure == FailNoSecret {
			why += " No secret was given, so the signature was not checked: with this app's secret it fails."
		} else if secret != "" {
			why += " The secret given (" + MaskSecret(secret) + ") is not that endpoint's, so no signature matches."
		}
		c := cause.Entry{Code: CodeOtherInstance, Problem: true, Fix: fix, Docs: docsVerify, Why: why}
		return Diagnosis{Finding: c.Found(cause.Certain, "the delivery is from another instance ("+other+"), not the app's ("+a.ID+")"), Evidence: evidence}
	}
	c := cause.Entry{Code: CodeOtherInstance, Problem: true, Fix: fix, Docs: docsVerify,
		Why: fmt.Sprintf("The payload's instance_id is %s, but the app runs against %s: even once the delivery gets past %s, its signature is that of another instance's endpoint and fails with the app's secret.", other, a.describe(), v.Failure)}
	return Diagnosis{Finding: c.Found(cause.Likely, "the delivery is from another instance ("+other+"), not the app's ("+a.ID+")"), Evidence: evidence}
}

// sessionKID is the instance id (ins_…) that signed a request's session
// token, read from its __session cookie (suffixed or not) or its
// Authorization bearer; "" when it carries none.
func sessionKID(headers []Header) string {
	for _, h := range headers {
		var tokens []string
		switch strings.ToLower(strings.TrimSpace(h.Name)) {
		case "cookie":
			for _, c := range inspect.ParseCookieHeader(h.Value) {
				if c.Name == inspect.CookieSession || strings.HasPrefix(c.Name, inspect.CookieSession+"_") {
					tokens = append(tokens, c.Value)
				}
			}
		case "authorization":
			if t, ok := strings.CutPrefix(strings.TrimSpace(h.Value), "Bearer "); ok {
				tokens = append(tokens, strings.TrimSpace(t))
			}
		}
		for _, t := range tokens {
			if jwt, err := inspect.DecodeJWT(t); err == nil {
				if kid := jwt.HeaderString("kid"); strings.HasPrefix(kid, "ins_") {
					return kid
				}
			}
		}
	}
	return ""
}
