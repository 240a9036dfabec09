package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clerkscope/clerkscope/har"
	"github.com/clerkscope/clerkscope/inspect"
)

// Named instances, for people who handle several apps: a file in the
// user's config folder holds, per instance, what clerkscope needs to judge
// its requests — the publishable key, a PEM or JWKS file, an options file,
// and the name of the environment variable that holds the secret key
// (never the key itself). --instance NAME picks one; flags still win.
//
//	{"instances": {"acme-prod": {"publishableKey": "pk_live_…", "jwtKey": "~/keys/acme.pem",
//	                             "secretKeyEnv": "ACME_CLERK_SECRET_KEY"}}}

// profile is one named instance.
type profile struct {
	PublishableKey string `json:"publishableKey,omitempty"`
	// JWTKey, JWKS and Config are file paths (~ is the home folder).
	JWTKey string `json:"jwtKey,omitempty"`
	JWKS   string `json:"jwks,omitempty"`
	Config string `json:"config,omitempty"`
	// SecretKeyEnv names the environment variable holding the secret key.
	SecretKeyEnv string `json:"secretKeyEnv,omitempty"`
	APIURL       string `json:"apiUrl,omitempty"`
}

// profileFile is the config file.
type profileFile struct {
	Instances map[string]profile `json:"instances"`
}

// configPath is where the profiles live: CLERKSCOPE_CONFIG, else
// clerkscope/config.json in the user's config folder.
func configPath() (string, error) {
	if p := os.Getenv("CLERKSCOPE_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config folder: %w (set CLERKSCOPE_CONFIG to a file)", err)
	}
	return filepath.Join(dir, "clerkscope", "config.json"), nil
}

// loadProfiles reads the config file; a missing file is no profiles.
func loadProfiles() (*profileFile, string, error) {
	path, err := configPath()
	if err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &profileFile{}, path, nil
	}
	if err != nil {
		return nil, path, fmt.Errorf("config %s: %w", path, har.FileError(err))
	}
	var raw struct {
		Instances map[string]json.RawMessage `json:"instances"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, path, fmt.Errorf("config %s is not valid JSON: %w", path, err)
	}
	pf := &profileFile{Instances: map[string]profile{}}
	for name, r := range raw.Instances {
		var keys map[string]any
		_ = json.Unmarshal(r, &keys)
		if _, ok := keys["secretKey"]; ok {
			return nil, path, fmt.Errorf("config %s: instance %q holds a secret key; keep secrets out of files: name the environment variable that holds it with \"secretKeyEnv\"", path, name)
		}
		var p profile
		if err := json.Unmarshal(r, &p); err != nil {
			return nil, path, fmt.Errorf("config %s: instance %q: %w", path, name, err)
		}
		pf.Instances[name] = p
	}
	return pf, path, nil
}

func (pf *profileFile) names() []string {
	out := make([]string, 0, len(pf.Instances))
	for n := range pf.Instances {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// expandHome resolves a leading ~ in a profile's file path.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

// applyProfile fills the flags the user did not set from --instance.
func (f *judgeFlags) applyProfile() error {
	if f.instance == "" {
		return nil
	}
	pf, path, err := loadProfiles()
	if err != nil {
		return err
	}
	p, ok := pf.Instances[f.instance]
	if !ok {
		known := "none"
		if n := pf.names(); len(n) > 0 {
			known = strings.Join(n, ", ")
		}
		return &usageError{fmt.Sprintf("--instance %q is not in %s (instances: %s; clerkscope config shows the file)", f.instance, path, known)}
	}
	if f.pk == "" {
		f.pk = p.PublishableKey
	}
	if f.jwtKey == "" && p.JWTKey != "" {
		f.jwtKey = expandHome(p.JWTKey)
	}
	if f.jwks == "" && p.JWKS != "" {
		f.jwks = expandHome(p.JWKS)
	}
	if f.config == "" && p.Config != "" {
		f.config = expandHome(p.Config)
	}
	f.secretKeyEnv, f.apiURL = p.SecretKeyEnv, p.APIURL
	return nil
}

// runConfig is `clerkscope config`: where the profiles live and what they
// hold (secret keys only as masked values of the variables they name).
func runConfig(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(stdout, configUsage)
			return nil
		}
		return &usageError{"config takes no arguments: it shows where the named instances are kept"}
	}
	pf, path, err := loadProfiles()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Named instances: %s", path)
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(stdout, " (not there yet)\n\n%s", configExample)
		return nil
	}
	fmt.Fprintln(stdout)
	if len(pf.Instances) == 0 {
		fmt.Fprintf(stdout, "No instances in it yet.\n\n%s", configExample)
		return nil
	}
	for _, name := range pf.names() {
		p := pf.Instances[name]
		fmt.Fprintf(stdout, "\n%s\n", name)
		if p.PublishableKey != "" {
			kind := "?"
			if pk, err := inspect.ParsePublishableKey(p.PublishableKey); err == nil {
				kind = pk.InstanceType + " " + pk.FrontendAPI
			}
			fmt.Fprintf(stdout, "  publishable key: %s (%s)\n", p.PublishableKey, kind)
		}
		for _, f := range []struct{ label, path string }{{"JWT key", p.JWTKey}, {"JWKS", p.JWKS}, {"options", p.Config}} {
			if f.path != "" {
				state := "found"
				if _, err := os.Stat(expandHome(f.path)); err != nil {
					state = "MISSING"
				}
				fmt.Fprintf(stdout, "  %s: %s (%s)\n", f.label, f.path, state)
			}
		}
		if p.SecretKeyEnv != "" {
			state := "not set"
			if v := os.Getenv(p.SecretKeyEnv); v != "" {
				state = "set: " + inspect.MaskSecret(v)
			}
			fmt.Fprintf(stdout, "  secret key: from $%s (%s)\n", p.SecretKeyEnv, state)
		}
		if p.APIURL != "" {
			fmt.Fprintf(stdout, "  Backend API: %s\n", p.APIURL)
		}
	}
	return nil
}

const configExample = `Create it with one entry per app; clerkscope --instance NAME then uses it:

  {"instances": {
    "acme-prod": {"publishableKey": "pk_live_…", "jwtKey": "~/keys/acme-prod.pem",
                  "secretKeyEnv": "ACME_PROD_CLERK_SECRET_KEY"},
    "acme-dev":  {"publishableKey": "pk_test_…", "jwks": "~/keys/acme-dev.jwks.json"}
  }}

Fields: publishableKey, jwtKey (a PEM file), jwks (a JWKS file), config (an options
JSON file, as --config), secretKeyEnv (the NAME of the variable holding the secret
key — never the key), apiUrl. Flags given on the command line win.
`

const configUsage = `Usage: clerkscope config

Shows where the named instances are kept (CLERKSCOPE_CONFIG, else clerkscope/config.json
in the user's config folder) and what each holds; --instance NAME on explain, report
and the dashboard uses one.

` + configExample
