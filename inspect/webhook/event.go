package webhook

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ObjectID is an id the event names, with what it is.
type ObjectID struct {
	// Kind is user, session, organization, membership, invitation, …
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Path is where in the payload it was found.
	Path string `json:"path"`
}

// Event names what a delivery is about.
type Event struct {
	Type string `json:"type"`
	// Known is true for one of the 45 event types of the SDK.
	Known bool `json:"known"`
	// Group is the part before the dot (user, session, subscriptionItem…).
	Group   string `json:"group,omitempty"`
	Billing bool   `json:"billing,omitempty"`
	// Object is the payload's "object" ("event").
	Object     string     `json:"object,omitempty"`
	InstanceID string     `json:"instanceId,omitempty"`
	DataID     string     `json:"dataId,omitempty"`
	IDs        []ObjectID `json:"ids,omitempty"`
	// Timestamp is the payload's timestamp as written; Unit the unit
	// inferred (ms as Clerk documents, else s), At the moment it names.
	Timestamp float64   `json:"timestamp,omitempty"`
	Unit      string    `json:"unit,omitempty"`
	At        time.Time `json:"at,omitzero"`
	// Deleted is true for a deleted-object payload.
	Deleted bool `json:"deleted,omitempty"`
}

// knownType reports whether t is one of EventTypes.
func knownType(t string) bool {
	group, _, _ := strings.Cut(t, ".")
	for _, e := range EventTypes[group] {
		if e == t {
			return true
		}
	}
	return false
}

// idKinds maps an id prefix to what it names.
var idKinds = []struct{ prefix, kind string }{
	{"user_", "user"}, {"sess_", "session"}, {"orgmem_", "membership"}, {"orginv_", "invitation"}, {"org_", "organization"},
	{"client_", "client"}, {"ins_", "instance"}, {"idn_", "email address"}, {"role_", "role"}, {"perm_", "permission"},
	{"wle_", "waitlist entry"}, {"orgdmn_", "organization domain"},
}

func kindOf(id string) string {
	for _, k := range idKinds {
		if strings.HasPrefix(id, k.prefix) {
			return k.kind
		}
	}
	return ""
}

// ParseEvent names the event in a parsed payload (from Verification.Payload,
// or a body parsed without verification). A payload that is no object
// gives an Event with an empty Type.
func ParseEvent(payload any) *Event {
	ev := &Event{}
	m, ok := payload.(map[string]any)
	if !ok {
		return ev
	}
	ev.Type, _ = m["type"].(string)
	ev.Known = knownType(ev.Type)
	ev.Group, _, _ = strings.Cut(ev.Type, ".")
	ev.Billing = billingGroups[ev.Group]
	ev.Object, _ = m["object"].(string)
	ev.InstanceID, _ = m["instance_id"].(string)
	if ts, ok := m["timestamp"].(float64); ok && ts > 0 {
		ev.Timestamp = ts
		if ts > 1e11 {
			ev.Unit, ev.At = "ms", time.UnixMilli(int64(ts)).UTC()
		} else {
			ev.Unit, ev.At = "s", time.Unix(int64(ts), 0).UTC()
		}
	}
	data, _ := m["data"].(map[string]any)
	if data != nil {
		ev.DataID, _ = data["id"].(string)
		ev.Deleted, _ = data["deleted"].(bool)
		seen := map[string]bool{}
		collectIDs(data, "data", ev, seen, 0)
	}
	return ev
}

// idFields are the keys whose string values are object ids worth naming.
var idFields = map[string]bool{"id": true, "user_id": true, "organization_id": true, "session_id": true, "client_id": true}

func collectIDs(v any, path string, ev *Event, seen map[string]bool, depth int) {
	if depth > 3 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			if s, ok := x[k].(string); ok && idFields[k] {
				if kind := kindOf(s); kind != "" && !seen[s] {
					seen[s] = true
					ev.IDs = append(ev.IDs, ObjectID{Kind: kind, ID: s, Path: p})
				}
				continue
			}
			if k == "email_addresses" || k == "phone_numbers" || k == "web3_wallets" || k == "external_accounts" {
				continue
			}
			collectIDs(x[k], p, ev, seen, depth+1)
		}
	}
}

// Summary is one line naming the event.
func (ev *Event) Summary() string {
	if ev.Type == "" {
		return "no event type in the body"
	}
	s := ev.Type
	if !ev.Known {
		s += " (not a Clerk event type)"
	}
	if ev.DataID != "" {
		s += " of " + ev.DataID
	}
	if ev.Deleted {
		s += " (deleted)"
	}
	return s
}

// TimestampText shows the payload timestamp with the unit inferred.
func (ev *Event) TimestampText() string {
	if ev.Unit == "" {
		return ""
	}
	unit := "milliseconds, as Clerk documents"
	if ev.Unit == "s" {
		unit = "seconds (Clerk documents milliseconds)"
	}
	return fmt.Sprintf("%.0f: %s, %s", ev.Timestamp, ev.At.Format(time.RFC3339), unit)
}

// parseLoose parses text as JSON, nil when it is not.
func parseLoose(text string) any {
	var v any
	if json.Unmarshal([]byte(text), &v) != nil {
		return nil
	}
	return v
}
