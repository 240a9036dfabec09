package inspect

import "fmt"

// DescribeFVA reads the fva claim (auth().factorVerificationAge): [minutes
// since the first factor, minutes since the second factor] when the token
// was made, -1 for never. "first factor 7 min ago, no second factor".
func DescribeFVA(v any) string {
	list, ok := v.([]any)
	if !ok || len(list) != 2 {
		if v == nil || JSString(v) == "undefined" {
			return "none (the token has no fva claim)"
		}
		return JSStringify(v)
	}
	part := func(name string, x any) string {
		n, ok := x.(float64)
		switch {
		case !ok:
			return name + " " + JSStringify(x)
		case n < 0:
			return "no " + name
		case n == 0:
			return name + " less than a minute ago"
		}
		return name + " " + minutes(int(n)) + " ago"
	}
	return part("first factor", list[0]) + ", " + part("second factor", list[1])
}

// minutes writes a count of minutes as a person reads it: "7 min",
// "1 h 30 min", "3 days".
func minutes(n int) string {
	switch {
	case n < 60:
		return fmt.Sprintf("%d min", n)
	case n < 48*60:
		if n%60 == 0 {
			return fmt.Sprintf("%d h", n/60)
		}
		return fmt.Sprintf("%d h %d min", n/60, n%60)
	}
	return fmt.Sprintf("%d days", n/(24*60))
}
