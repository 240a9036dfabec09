package inspect

import (
	"bytes"
	"encoding/json"
)

// ConfigKeys is what a config file, as written, says about the app's keys:
// read before the flags and the environment fill anything in.
type ConfigKeys struct {
	// SecretKeyNamed is true when the file has a secretKey entry at all,
	// null and "" included: an explicit empty key models an app without one.
	SecretKeyNamed bool
	// InAppEnv is true when the file names no key at all (no secretKey,
	// not even null or "", no jwtKey, no machineSecretKey): it leaves the
	// app's secret key to the app's environment (Setup.SecretKeyInAppEnv).
	//
	// clerkMiddleware reads CLERK_SECRET_KEY from the app's environment
	// when its options do not pass one, and most apps pass only the
	// publishable key or nothing, so such a config does not say the key is
	// missing. Options that name their keys spell out the whole key setup,
	// as an SDK call or an oracle case does: prod-missing-secret-key passes
	// publishableKey and jwtKey and no secretKey, and the SDK throws, and
	// so does clerkscope given those options as --config. There a missing
	// secretKey is missing.
	InAppEnv bool
}

// ReadConfigKeys reads the key entries of a config file that ParseOptions
// accepted.
func ReadConfigKeys(data []byte) ConfigKeys {
	var raw map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &raw) != nil {
		return ConfigKeys{}
	}
	named := func(k string) bool {
		var s string
		return json.Unmarshal(raw[k], &s) == nil && s != ""
	}
	_, secret := raw["secretKey"]
	return ConfigKeys{SecretKeyNamed: secret, InAppEnv: !secret && !named("jwtKey") && !named("machineSecretKey")}
}
