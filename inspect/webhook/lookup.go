package webhook

import (
	"context"
	"strings"
)

// Record is what the Backend API holds for one id an event names.
type Record struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Found bool   `json:"found"`
	// Summary describes the record found ("Ada Lovelace", "active").
	Summary string `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
	// Disagrees says how the record contradicts the event ("" when it fits).
	Disagrees string `json:"disagrees,omitempty"`
}

// State says what the lookup found: "found: Ada Lovelace", "not found",
// "lookup failed: …".
func (r Record) State() string {
	switch {
	case r.Error != "":
		return "lookup failed: " + r.Error
	case r.Found && r.Summary != "":
		return "found: " + r.Summary
	case r.Found:
		return "found"
	}
	return "not found"
}

// Finder looks one id up: found false with a nil error is "no such
// record" (a 404). The command adapts the Backend API client to it; tests
// pass a fake.
type Finder func(ctx context.Context, kind, id string) (found bool, summary string, err error)

// lookupKinds are the ids worth a Backend API call.
var lookupKinds = map[string]bool{"user": true, "session": true, "organization": true}

// Lookup looks up the users, sessions and organizations the events name
// (each id once) and sets each Judged's Records, with what disagrees: a
// created or updated object that no longer exists (deleted since: events
// arrive out of order, and an upsert now would bring it back), a deleted
// one that still exists.
func Lookup(ctx context.Context, find Finder, js []*Judged) {
	cache := map[string]Record{}
	for _, j := range js {
		j.Records = nil
		for _, id := range j.Event.IDs {
			if !lookupKinds[id.Kind] {
				continue
			}
			rec, ok := cache[id.ID]
			if !ok {
				rec = Record{Kind: id.Kind, ID: id.ID}
				found, summary, err := find(ctx, id.Kind, id.ID)
				if err != nil {
					rec.Error = RedactText(err.Error())
				} else {
					rec.Found, rec.Summary = found, summary
				}
				cache[id.ID] = rec
			}
			if rec.Error == "" && id.ID == j.Event.DataID {
				_, action, _ := strings.Cut(j.Event.Type, ".")
				switch {
				case !rec.Found && action != "deleted":
					rec.Disagrees = "the Backend API has no such " + id.Kind + " now: it was deleted after this event (a handler applying events out of order would bring it back)"
				case rec.Found && action == "deleted":
					rec.Disagrees = "the Backend API still has this " + id.Kind + " although the event deletes it"
				}
			}
			j.Records = append(j.Records, rec)
		}
	}
}
