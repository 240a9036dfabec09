package webhook

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerkscope/clerkscope/cause"
	"github.com/clerkscope/clerkscope/inspect"
)

const (
	appInstance   = "ins_2qLrNvT8jYbZQ4ud9sXkE1wHcAf"
	otherInstance = "ins_2zDevInstanceOfTheApp00009"
)

// TestCompareInstance (issue 12, point 4): the capture's session tokens
// name the app's instance (their kid); a delivery whose instance_id is
// another instance's is named as the cause of its failed signature, before
// the wrong secret it explains; given another app instance, the verified
// delivery is the one from elsewhere, and a second comparison replaces
// the first.
func TestCompareInstance(t *testing.T) {
	const capture = "../../testdata/webhooks/har/another-instance.har"
	ds := parseFile(t, capture)
	if len(ds) != 2 || ds[0].AppInstance != appInstance {
		t.Fatalf("%d deliveries, app instance %q from the capture's tokens", len(ds), ds[0].AppInstance)
	}
	rep := NewReport(ds, "whsec_rly17MgBf9qba66SqKh17AEshC4S38MJ", time.Time{}, time.Unix(1767225600, 0))
	own, other := rep.Judged[0], rep.Judged[1]
	if own.Verdict.State != Verified || hasCode(own.Diagnoses, CodeOtherInstance, "") || own.App == nil || own.App.From != fromCapture {
		t.Errorf("own instance: %s %v, app %+v", own.Verdict.State, codes(own.Diagnoses), own.App)
	}
	if got := codes(other.Diagnoses); len(got) < 2 || got[0] != CodeOtherInstance+"/"+cause.Certain || got[1] != CodeWrongSecret+"/"+cause.Likely {
		t.Errorf("other instance: %v, want %s first, then %s", got, CodeOtherInstance, CodeWrongSecret)
	}
	if !strings.Contains(own.InstanceNote(), "the app's instance") || !strings.Contains(other.InstanceNote(), "not the app's instance "+appInstance) {
		t.Errorf("notes %q / %q", own.InstanceNote(), other.InstanceNote())
	}

	rep.CompareInstance(App{ID: otherInstance, From: "a test", Type: inspect.Production})
	if got := codes(own.Diagnoses); !slices.Equal(got, []string{CodeOtherInstance + "/" + cause.Likely}) {
		t.Errorf("verified delivery of another instance: %v (the reading that it verifies goes)", got)
	}
	if hasCode(other.Diagnoses, CodeOtherInstance, "") || !hasCode(other.Diagnoses, CodeWrongSecret, "") {
		t.Errorf("the second comparison keeps the first's cause: %v", codes(other.Diagnoses))
	}
	rep.CompareInstance(App{})
	if got := codes(other.Diagnoses); got[0] != CodeOtherInstance+"/"+cause.Certain {
		t.Errorf("back to the capture's instance: %v", got)
	}
}

// TestAppOf: the type comes from the publishable key, else the secret
// key; the id from a JWKS whose keys name one instance.
func TestAppOf(t *testing.T) {
	if a := AppOf(&inspect.Setup{Options: inspect.Options{SecretKey: "sk_live_x"}}); a.Type != inspect.Production || a.ID != "" {
		t.Errorf("sk_live_: %+v", a)
	}
	pk := "pk_test_Y2xlYW4tbW9sZS0xMi5jbGVyay5hY2NvdW50cy5kZXYk"
	if a := AppOf(&inspect.Setup{Options: inspect.Options{PublishableKey: pk, SecretKey: "sk_live_x"}}); a.Type != inspect.Development || a.TypeFrom != "the publishable key" {
		t.Errorf("the publishable key wins: %+v", a)
	}
	set := &inspect.JWKS{Keys: []inspect.JWK{{KID: appInstance}, {KID: appInstance}}}
	if a := AppOf(&inspect.Setup{Keys: set}); a.ID != appInstance || a.From != fromJWKS {
		t.Errorf("JWKS: %+v", a)
	}
	set.Keys = append(set.Keys, inspect.JWK{KID: otherInstance})
	if a := AppOf(&inspect.Setup{Keys: set}); a.ID != "" {
		t.Errorf("a JWKS of two instances names none: %+v", a)
	}
	if a := AppOf(nil); a.Known() {
		t.Errorf("nil setup: %+v", a)
	}
}
