package bapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Clerk's metadata limits: 8 KB at most, and about 1.2 KB for what is
// copied into the session token (the whole token must fit a 4 KB cookie).
const (
	MetadataLimit       = 8 << 10
	SessionTokenAdvised = 1200
)

// MetadataInfo describes one of a user's metadata objects: how big it is
// and who may read and write it.
type MetadataInfo struct {
	Kind      string `json:"kind"` // public, private or unsafe
	Bytes     int    `json:"bytes"`
	Keys      int    `json:"keys"`
	ReadBy    string `json:"readBy"`
	WrittenBy string `json:"writtenBy"`
	// Warning is set when the object is too big (for Clerk, or for a
	// session token it is copied into).
	Warning string `json:"warning,omitempty"`
}

// The access of each kind, as Clerk documents it.
var metadataAccess = map[string][2]string{
	"public":  {"frontend and backend", "backend only"},
	"private": {"backend only", "backend only"},
	"unsafe":  {"frontend and backend", "frontend and backend (never trust it for authorization)"},
}

// metadataKinds is the order they are shown in.
var metadataKinds = []string{"public", "private", "unsafe"}

func (u *User) metadata(kind string) Metadata {
	switch kind {
	case "public":
		return u.PublicMetadata
	case "private":
		return u.PrivateMetadata
	case "unsafe":
		return u.UnsafeMetadata
	}
	return nil
}

// compactSize is the size of the object as JSON without spaces.
func compactSize(m Metadata) int {
	if len(bytes.TrimSpace(m)) == 0 {
		return 2
	}
	var b bytes.Buffer
	if json.Compact(&b, m) != nil {
		return len(m)
	}
	return b.Len()
}

func objectKeys(m Metadata) map[string]json.RawMessage {
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(m, &obj)
	return obj
}

func userMetadata(u *User) []MetadataInfo {
	var out []MetadataInfo
	for _, kind := range metadataKinds {
		m := u.metadata(kind)
		acc := metadataAccess[kind]
		info := MetadataInfo{Kind: kind, Bytes: compactSize(m), Keys: len(objectKeys(m)), ReadBy: acc[0], WrittenBy: acc[1]}
		switch {
		case info.Bytes > MetadataLimit:
			info.Warning = fmt.Sprintf("over Clerk's %d KB limit", MetadataLimit>>10)
		case kind != "private" && info.Bytes > SessionTokenAdvised:
			info.Warning = "over the 1.2 KB advised for what a session token template copies"
		}
		out = append(out, info)
	}
	return out
}

// registeredClaims are the claims Clerk's session tokens carry by
// themselves (v1 and v2); anything else came from a session token template.
var registeredClaims = map[string]bool{
	"azp": true, "exp": true, "fva": true, "iat": true, "iss": true, "jti": true, "nbf": true, "sid": true, "sub": true,
	"v": true, "sts": true, "o": true, "pla": true, "fea": true, "act": true, "org_id": true, "org_role": true,
	"org_slug": true, "org_permissions": true, "aud": true,
}

func customClaims(payload any) map[string]any {
	obj, ok := payload.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for k, v := range obj {
		if !registeredClaims[k] {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// metadataClaimKind says which metadata an object claim copies by its
// name ({"metadata": "{{user.public_metadata}}"} is the documented example).
func metadataClaimKind(name string) string {
	n := strings.ToLower(strings.ReplaceAll(name, "_", ""))
	switch n {
	case "metadata", "publicmetadata", "public":
		return "public"
	case "privatemetadata", "private":
		return "private"
	case "unsafemetadata", "unsafe":
		return "unsafe"
	}
	return ""
}

// claimDiff is a custom claim whose value differs from the metadata it
// appears to copy.
type claimDiff struct {
	claim, field string
	token, now   string
}

// metadataClaimDiffs compares the token's custom claims with the user's
// metadata: an object claim named after a metadata kind is compared key by
// key; any other claim named like a top-level metadata key is compared
// with that key (public first, then private, then unsafe).
func metadataClaimDiffs(claims map[string]any, u *User) []claimDiff {
	var out []claimDiff
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		cv := claims[name]
		if kind := metadataClaimKind(name); kind != "" {
			if obj, ok := cv.(map[string]any); ok {
				rec := objectKeys(u.metadata(kind))
				keys := map[string]bool{}
				for k := range obj {
					keys[k] = true
				}
				for k := range rec {
					keys[k] = true
				}
				var ks []string
				for k := range keys {
					ks = append(ks, k)
				}
				sort.Strings(ks)
				for _, k := range ks {
					tv, inToken := obj[k]
					rv, inRec := rec[k]
					if !sameJSON(tv, inToken, rv, inRec) {
						out = append(out, claimDiff{name + "." + k, kind + "_metadata." + k, show(tv, inToken), showRaw(rv, inRec)})
					}
				}
				continue
			}
		}
		for _, kind := range metadataKinds {
			rv, ok := objectKeys(u.metadata(kind))[name]
			if !ok {
				continue
			}
			if !sameJSON(cv, true, rv, true) {
				out = append(out, claimDiff{name, kind + "_metadata." + name, show(cv, true), showRaw(rv, true)})
			}
			break
		}
	}
	return out
}

func sameJSON(tv any, inToken bool, rv json.RawMessage, inRec bool) bool {
	if !inToken || !inRec {
		return inToken == inRec
	}
	var r any
	if json.Unmarshal(rv, &r) != nil {
		return false
	}
	a, _ := json.Marshal(tv)
	b, _ := json.Marshal(r)
	return bytes.Equal(a, b)
}

func show(v any, ok bool) string {
	if !ok {
		return "absent"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func showRaw(v json.RawMessage, ok bool) string {
	if !ok {
		return "absent"
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}
