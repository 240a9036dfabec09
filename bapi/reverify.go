package bapi

import "fmt"

// Reverification is one of Clerk's reverification presets checked against
// the token's fva claim, as has({reverification}) checks it.
type Reverification struct {
	Preset       string `json:"preset"`
	AfterMinutes int    `json:"afterMinutes"`
	Level        string `json:"level"`
	// Passes is nil when the SDK cannot tell (no fva, or no factor of the
	// kind the level needs): has() then ignores the check.
	Passes *bool  `json:"passes"`
	Why    string `json:"why"`
}

// presets is TYPES_TO_OBJECTS of @clerk/shared's authorization.ts.
var presets = []struct {
	name  string
	after int
	level string
}{
	{"strict_mfa", 10, "multi_factor"},
	{"strict", 10, "second_factor"},
	{"moderate", 60, "second_factor"},
	{"lax", 1440, "second_factor"},
}

// reverify is checkReverificationAuthorization of @clerk/shared for each
// preset: an age passes when it is under afterMinutes; -1 means the factor
// group is not enabled for the user.
func reverify(fva []int) []Reverification {
	if len(fva) != 2 {
		return nil
	}
	f1, f2 := fva[0], fva[1]
	valid := func(age, after int) *bool {
		if age == -1 {
			return nil
		}
		ok := after > age
		return &ok
	}
	var out []Reverification
	for _, p := range presets {
		v1, v2 := valid(f1, p.after), valid(f2, p.after)
		var res *bool
		switch p.level {
		case "second_factor":
			res = v1
			if f2 != -1 {
				res = v2
			}
		case "multi_factor":
			if f2 == -1 {
				res = v1
			} else if v1 != nil {
				both := *v1 && *v2
				res = &both
			}
		}
		r := Reverification{Preset: p.name, AfterMinutes: p.after, Level: p.level, Passes: res}
		r.Why = reverifyWhy(p.level, p.after, f1, f2)
		out = append(out, r)
	}
	return out
}

func reverifyWhy(level string, after, f1, f2 int) string {
	age := func(n int, what string) string {
		if n == -1 {
			return "no " + what
		}
		return fmt.Sprintf("%s %d min ago", what, n)
	}
	switch {
	case level == "second_factor" && f2 == -1:
		return fmt.Sprintf("within %d min; the user has no second factor, so the first counts: %s", after, age(f1, "first factor"))
	case level == "second_factor":
		return fmt.Sprintf("second factor within %d min: %s", after, age(f2, "second factor"))
	case f2 == -1:
		return fmt.Sprintf("both factors within %d min; the user has no second factor, so the first counts: %s", after, age(f1, "first factor"))
	}
	return fmt.Sprintf("both factors within %d min: %s, %s", after, age(f1, "first factor"), age(f2, "second factor"))
}
