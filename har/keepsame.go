package har

import (
	"reflect"
	"slices"

	"github.com/clerkscope/clerkscope/inspect"
)

// sameResult reports whether a and b are equal: when it says so,
// reflect.DeepEqual would too (a time with another *time.Location or a
// token decoded twice may make it say no where DeepEqual says yes: then
// the results are only shared less). It compares the fields one by one
// instead of walking them by reflection, which took most of the time a
// dashboard spent keeping a big capture's rows (≈ 7 µs an entry); the
// values of unknown shape (the token, the Auth's claims) still go through
// reflect.DeepEqual, after a pointer check that the memos make the usual
// case. TestSameResultFields keeps it comparing every field.
func sameResult(a, b *inspect.Result) bool {
	return a.At == b.At && samePtr(a.Clock, b.Clock) && samePtr(a.Otherwise, b.Otherwise) &&
		a.Explanation.Summary == b.Explanation.Summary && a.Explanation.Why == b.Explanation.Why &&
		sameSlice(a.Explanation.Next, b.Explanation.Next) && sameVerdict(a.Verdict, b.Verdict)
}

func sameVerdict(a, b *inspect.Verdict) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message && a.Error == b.Error &&
		a.Location == b.Location && a.TokenCarrier == b.TokenCarrier && a.Instance == b.Instance &&
		samePtr(a.Signature, b.Signature) && sameSlice(a.Headers, b.Headers) && sameSlice(a.Evidence, b.Evidence) &&
		sameSlice(a.BAPICalls, b.BAPICalls) && sameSlice(a.Logs, b.Logs) && sameSlice(a.Assumptions, b.Assumptions) &&
		sameRedirect(a.Redirect, b.Redirect) && sameCookieSet(a.CookieSet, b.CookieSet) &&
		sameDeep(a.TokenType, b.TokenType) && sameDeepPtr(a.Auth, b.Auth) &&
		sameDeepPtr(a.AuthAllowPending, b.AuthAllowPending) && sameDeepPtr(a.Token, b.Token)
}

func sameRedirect(a, b *inspect.Redirect) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Origin == b.Origin && a.Pathname == b.Pathname && sameSlice(a.Params, b.Params)
}

func sameCookieSet(a, b *inspect.CookieSet) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Suffixed == b.Suffixed && a.Suffix == b.Suffix && a.Rule == b.Rule && a.Why == b.Why &&
		sameSlice(a.Read, b.Read)
}

// samePtr compares what two pointers to a comparable struct point to.
func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// sameSlice is slices.Equal, but a nil slice is not an empty one (as for
// reflect.DeepEqual).
func sameSlice[T comparable](a, b []T) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

func sameDeepPtr[T any](a, b *T) bool {
	return a == b || a != nil && b != nil && reflect.DeepEqual(a, b)
}

func sameDeep(a, b any) bool {
	if sa, ok := a.(string); ok {
		sb, ok := b.(string)
		return ok && sa == sb
	}
	return reflect.DeepEqual(a, b)
}
