package inspect

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// checkParams are the parts of a check's wording that name the request's
// particulars (a token type, an acceptsToken list, a cookie suffix).
var checkParams = regexp.MustCompile(`\[[^\]]*\]|\b(session_token|api_key|m2m_token|oauth_token)\b|__refresh_\w+`)

// TestStepIDsUnique judges every case and checks the evidence's ids: one
// check per id and one id per check (the 2.3/<rule> ids are one family:
// the rule number is part of the id), and each id is one of names.go's.
func TestStepIDsUnique(t *testing.T) {
	known := map[string]bool{}
	for _, id := range []string{stepInstance, stepPublicURL, stepEligible, stepLoopGuard, stepFailureKind, stepRefresh,
		stepThrows, stepPublishableKey, stepAcceptsList, stepAuthorization, stepMachineAccepted, stepNoHeaderToken,
		stepHeaderKind, stepHeaderVerify, stepHandshakePresent, stepHandshakeSignature, stepHandshakeDirectives,
		stepSatelliteSync, stepPrimarySync, stepDevBrowserSync, stepDevBrowser, stepClientUATAndSession, stepDecodes,
		stepSessionKind, stepIATBeforeClientUAT, stepCookieVerify, stepCrossOrigin, stepAuthObject, stepOrgSync,
		stepSignedIn, stepMachineJWT, stepMachineBackendVerify} {
		if known[id] {
			t.Errorf("two step constants are %q", id)
		}
		known[id] = true
	}
	cases := append(loadCases(t, "../testdata/auth-cases"), loadCases(t, "../testdata/oracle-cases")...)
	if d := os.Getenv("CLERKSCOPE_CASES"); d != "" {
		cases = append(cases, loadCases(t, d)...)
	}
	checkOf := map[string]string{} // id → check
	idOf := map[string]string{}    // check → id
	for _, c := range cases {
		v := judgeCase(t, c)
		for _, s := range v.Evidence {
			id := s.ID
			if strings.HasPrefix(id, stepCookieSet) {
				id = stepCookieSet
			} else if !known[id] {
				t.Errorf("%s: step %q is not one of names.go's step ids", c.Name, s.ID)
			}
			check := checkParams.ReplaceAllString(s.Check, "…")
			if prev, ok := checkOf[id]; ok && prev != check {
				t.Errorf("%s: step %s names two checks: %q and %q", c.Name, id, prev, check)
			}
			if prev, ok := idOf[check]; ok && prev != id {
				t.Errorf("%s: check %q has two ids: %s and %s", c.Name, check, prev, id)
			}
			checkOf[id], idOf[check] = check, id
		}
	}
	if len(checkOf) < 30 {
		t.Errorf("only %d step ids seen across %d cases", len(checkOf), len(cases))
	}
}
