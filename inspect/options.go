package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// Options are the authenticateRequest / clerkMiddleware options, with their
// JSON names spelled as in the SDK so that users can paste their middleware
// options verbatim.
type Options struct {
	PublishableKey          string          `json:"publishableKey,omitempty"`
	SecretKey               string          `json:"secretKey,omitempty"`
	MachineSecretKey        string          `json:"machineSecretKey,omitempty"`
	JWTKey                  string          `json:"jwtKey,omitempty"`
	AuthorizedParties       []string        `json:"authorizedParties,omitempty"`
	IsSatellite             bool            `json:"isSatellite,omitempty"`
	Domain                  string          `json:"domain,omitempty"`
	ProxyURL                string          `json:"proxyUrl,omitempty"`
	SignInURL               string          `json:"signInUrl,omitempty"`
	SignUpURL               string          `json:"signUpUrl,omitempty"`
	ClockSkewInMs           *float64        `json:"clockSkewInMs,omitempty"`
	SatelliteAutoSync       *bool           `json:"satelliteAutoSync,omitempty"`
	OrganizationSyncOptions *OrgSyncOptions `json:"organizationSyncOptions,omitempty"`
	AcceptsToken            *AcceptsToken   `json:"acceptsToken,omitempty"`
	Audience                StringList      `json:"audience,omitempty"`
	Issuer                  StringList      `json:"issuer,omitempty"`
	APIURL                  string          `json:"apiUrl,omitempty"`
	APIVersion              string          `json:"apiVersion,omitempty"`
	// API holds canned Backend API answers in the oracle's case format
	// (clerkscope extension: "what if the Backend API had answered this").
	API *CannedAPI `json:"api,omitempty"`
}

// knownOptionKeys are accepted in a config file; anything else is reported.
var knownOptionKeys = map[string]bool{
	"publishableKey": true, "secretKey": true, "machineSecretKey": true, "jwtKey": true,
	"authorizedParties": true, "isSatellite": true, "domain": true, "proxyUrl": true,
	"signInUrl": true, "signUpUrl": true, "clockSkewInMs": true, "satelliteAutoSync": true,
	"organizationSyncOptions": true, "acceptsToken": true, "audience": true, "issuer": true, "apiUrl": true,
	"apiVersion": true, "api": true,
	// Accepted and ignored: they do not change the verdict.
	"afterSignInUrl": true, "afterSignUpUrl": true, "debug": true, "telemetry": true,
	"contentSecurityPolicy": true, "frontendApiProxy": true, "jwksCacheTtlInMs": true, "skipJwksCache": true,
}

// ParseOptions reads a JSON object of middleware options. Unknown keys are
// returned as warnings, not errors: a config copied from an app may carry
// options that do not affect authentication.
func ParseOptions(data []byte) (Options, []string, error) {
	var o Options
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return o, nil, fmt.Errorf("not a JSON object of middleware options: %w", err)
	}
	var warnings []string
	for k := range raw {
		if !knownOptionKeys[k] {
			warnings = append(warnings, fmt.Sprintf("unknown option %q ignored", k))
		}
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return o, warnings, fmt.Errorf("bad option value: %w", err)
	}
	return o, warnings, nil
}

// StringList is a JSON string or array of strings.
type StringList []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *StringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*s = nil
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("expected a string or a list of strings")
	}
	if many == nil {
		many = []string{}
	}
	*s = many
	return nil
}

// OrgSyncOptions is organizationSyncOptions.
type OrgSyncOptions struct {
	OrganizationPatterns    StringList `json:"organizationPatterns,omitempty"`
	PersonalAccountPatterns StringList `json:"personalAccountPatterns,omitempty"`
}

// AcceptsToken is TokenTypeSession, tokenTypeAny, a machine type, or a list.
type AcceptsToken struct {
	Single string
	List   []string
	IsList bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *AcceptsToken) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		a.IsList = true
		return json.Unmarshal(b, &a.List)
	}
	return json.Unmarshal(b, &a.Single)
}

// MarshalJSON implements json.Marshaler.
func (a AcceptsToken) MarshalJSON() ([]byte, error) {
	if a.IsList {
		return json.Marshal(a.List)
	}
	return json.Marshal(a.Single)
}

func (a *AcceptsToken) String() string {
	if a == nil {
		return TokenTypeSession
	}
	if a.IsList {
		return "[" + strings.Join(a.List, ",") + "]"
	}
	return a.Single
}

func (a *AcceptsToken) single() string {
	if a == nil {
		return TokenTypeSession
	}
	if a.IsList {
		return ""
	}
	if a.Single == "" {
		return TokenTypeSession
	}
	return a.Single
}

func (a *AcceptsToken) accepts(tokenType string) bool {
	if tokenType == "" {
		return false
	}
	if a == nil {
		return tokenType == TokenTypeSession
	}
	if !a.IsList && a.Single == tokenTypeAny {
		return true
	}
	if a.IsList {
		for _, t := range a.List {
			if t == tokenType {
				return true
			}
		}
		return false
	}
	return a.single() == tokenType
}

// CannedAPI holds Backend API answers in the oracle's format.
type CannedAPI struct {
	HandshakePayload *CannedReply `json:"handshakePayload,omitempty"`
	RefreshSession   *CannedReply `json:"refreshSession,omitempty"`
	JWKS             *CannedReply `json:"jwks,omitempty"`
	APIKeys          *CannedReply `json:"apiKeys,omitempty"`
	M2M              *CannedReply `json:"m2m,omitempty"`
	OAuth            *CannedReply `json:"oauth,omitempty"`
}

// CannedReply is one canned HTTP answer.
type CannedReply struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// UnmarshalJSON reads options with JavaScript's leniency where the SDK has
// it: isSatellite is truthy (the string "false" counts as true),
// satelliteAutoSync must be exactly true, and a clockSkewInMs that is not a
// number (null included) falls back to the default 5000 ms.
func (o *Options) UnmarshalJSON(b []byte) error {
	type plain Options
	var aux struct {
		plain
		IsSatellite       json.RawMessage `json:"isSatellite"`
		ClockSkewInMs     json.RawMessage `json:"clockSkewInMs"`
		SatelliteAutoSync json.RawMessage `json:"satelliteAutoSync"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*o = Options(aux.plain)
	if len(aux.IsSatellite) > 0 {
		var v any
		if err := json.Unmarshal(aux.IsSatellite, &v); err == nil {
			o.IsSatellite = js.Truthy(v)
		}
	}
	if len(aux.ClockSkewInMs) > 0 && !bytes.Equal(aux.ClockSkewInMs, []byte("null")) {
		var f float64
		if err := json.Unmarshal(aux.ClockSkewInMs, &f); err == nil {
			o.ClockSkewInMs = &f
		}
	}
	if len(aux.SatelliteAutoSync) > 0 {
		var v any
		if err := json.Unmarshal(aux.SatelliteAutoSync, &v); err == nil {
			t := v == true
			o.SatelliteAutoSync = &t
		}
	}
	return nil
}
