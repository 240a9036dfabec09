package inspect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// attemptRefresh is refreshToken + attemptRefresh; code "" means success.
func (j *judge) attemptRefresh(ctx context.Context) (claims any, headers *respHeaders, token string, code string) {
	expired := j.sessionToken()
	jj, err := j.decode(expired)
	if err != nil {
		return nil, nil, "", RefreshExpiredTokenDecodeFailed
	}
	sid := jj.Claim("sid")
	if !js.Truthy(sid) {
		return nil, nil, "", RefreshExpiredTokenMissingSID
	}
	call := BAPICall{Method: "POST", Path: fmt.Sprintf(pathRefreshSession, js.ToString(sid)), Changes: true}
	cookies, err := j.backend().RefreshSession(ctx, js.ToString(sid))
	call.Answered = answeredText(err)
	j.v.BAPICalls = append(j.v.BAPICalls, call)
	if err != nil {
		var ae *APIError
		var oc *ObservedRefreshCode
		switch {
		case errors.As(err, &oc):
			call.Answered = "settled by the app's response"
			j.v.BAPICalls[len(j.v.BAPICalls)-1] = call
			j.assume("the refresh outcome (" + oc.Code + ") is read from the app's own x-clerk-auth-reason; clerkscope never calls the refresh endpoint")
			return nil, nil, "", oc.Code
		case errors.As(err, &ae) && len(ae.Codes) > 0:
			if ae.Codes[0] == "unexpected_error" {
				return nil, nil, "", RefreshFetchError
			}
			return nil, nil, "", ae.Codes[0]
		case errors.As(err, &ae):
			return nil, nil, "", RefreshUnexpectedBAPIError
		default:
			if errors.Is(err, ErrNotCalled) || errors.Is(err, ErrUnreachable) {
				j.assume("the refresh call failed like an unreachable network (clerkscope never calls it; give canned answers in the config's \"api\" or a capture with the response to see the real outcome)")
			}
			return nil, nil, "", RefreshFetchError
		}
	}
	if len(cookies) == 0 {
		return nil, nil, "", RefreshUnexpectedSDKError
	}
	headers = &respHeaders{}
	for _, c := range cookies {
		headers.append(HeaderSetCookie, c)
		if strings.HasPrefix(directiveName(c), CookieSession) {
			token, _ = directiveValue(c)
		}
	}
	r := j.verify(ctx, token)
	if r.Err != nil {
		return nil, nil, "", RefreshInvalidSessionToken
	}
	return r.Payload, headers, token, ""
}
