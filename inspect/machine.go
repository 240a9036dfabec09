package inspect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

func (j *judge) isMachineToken(token string) bool {
	return strings.HasPrefix(token, prefixM2MToken) || strings.HasPrefix(token, prefixOAuthToken) || strings.HasPrefix(token, prefixAPIKey) || j.isMachineJWT(token)
}

func (j *judge) machineTokenType(token string) string {
	switch {
	case strings.HasPrefix(token, prefixM2MToken) || j.isM2MJWT(token):
		return TokenTypeM2M
	case strings.HasPrefix(token, prefixOAuthToken) || j.isOAuthJWT(token):
		return TokenTypeOAuth
	case strings.HasPrefix(token, prefixAPIKey):
		return TokenTypeAPIKey
	}
	return ""
}

func (j *judge) isMachineJWT(token string) bool { return j.isOAuthJWT(token) || j.isM2MJWT(token) }

func (j *judge) isOAuthJWT(token string) bool { return j.decoded(token).oauth }

func (j *judge) isM2MJWT(token string) bool { return j.decoded(token).m2m }

func (j *judge) hasNonSessionCategory(token string) bool { return j.decoded(token).nonSession }

func (j *judge) tokenKind(t string) string {
	d := j.decoded(t)
	switch {
	case d.oauth:
		return "an OAuth access token (typ at+jwt)"
	case d.m2m:
		return "a machine (M2M) token (sub mch_…)"
	case d.nonSession:
		cat := js.ToString(js.Field(d.jwt.Header, "cat"))
		return "a JWT of category " + cat + " (" + categoryName(cat) + ")"
	case d.err != nil:
		return "not a decodable JWT"
	}
	return "a session-token JWT"
}

// verifyMachine asks the Backend API about a machine token.
func (j *judge) verifyMachine(ctx context.Context, typ, token string) state {
	if j.jwtFormat(token) {
		return j.verifyMachineJWT(ctx, token)
	}
	path := map[string]string{TokenTypeAPIKey: pathVerifyAPIKey, TokenTypeM2M: pathVerifyM2MToken, TokenTypeOAuth: pathVerifyOAuthToken}[typ]
	call := BAPICall{Method: "POST", Path: path}
	data, err := j.backend().VerifyMachineToken(ctx, typ, token)
	call.Answered = answeredText(err)
	j.v.BAPICalls = append(j.v.BAPICalls, call)
	j.step(stepMachineBackendVerify, "Backend API verification of the "+typ, call.Answered)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			switch ae.Status {
			case 401:
				msg := msgInvalidSecretKey
				if len(ae.Messages) > 0 && ae.Messages[0] != "" {
					msg = ae.Messages[0]
				}
				return signedOutMachine(typ, SecretKeyInvalid, fmt.Sprintf(msgMachineStatusCode, msg, SecretKeyInvalid, ae.Status))
			case 404:
				nf := map[string]string{TokenTypeAPIKey: msgAPIKeyNotFound, TokenTypeM2M: msgM2MTokenNotFound, TokenTypeOAuth: msgOAuthTokenNotFound}[typ]
				return signedOutMachine(typ, TokenInvalid, fmt.Sprintf(msgMachineStatusCode, nf, TokenInvalid, ae.Status))
			}
			return signedOutMachine(typ, UnexpectedError, fmt.Sprintf(msgUnexpectedErrorStatus, UnexpectedError, ae.Status))
		}
		return signedOutMachine(typ, UnexpectedError, msgUnexpectedErrorNoStatus)
	}
	a := &Auth{IsAuthenticated: true, TokenType: typ, ID: data["id"], Subject: data["subject"], Scopes: data["scopes"]}
	sub := js.ToString(data["subject"])
	switch typ {
	case TokenTypeAPIKey:
		a.Name = data["name"]
		if strings.HasPrefix(sub, "user_") {
			a.UserID = sub
		}
		if strings.HasPrefix(sub, "org_") {
			a.OrgID = sub
		}
	case TokenTypeM2M:
		a.MachineID = data["subject"]
	case TokenTypeOAuth:
		a.UserID = data["subject"]
		a.ClientID = data["client_id"]
	}
	return signedInMachine(typ, a, nil)
}

// verifyMachineJWT is verifyMachineAuthToken for JWTs: M2M JWTs (sub
// mch_…) and OAuth access tokens (typ at+jwt) are verified locally with
// the instance key, like session tokens.
func (j *judge) verifyMachineJWT(ctx context.Context, token string) state {
	tok, err := j.decode(token)
	if err != nil {
		return machineError(TokenTypeM2M, TokenInvalid, err.Error())
	}
	typ := TokenTypeOAuth
	var headerTypes []string
	switch {
	case j.isM2MJWT(token):
		typ = TokenTypeM2M
		if c := js.Field(tok.Header, "cat"); !js.IsUndefined(c) && c != CategoryM2M {
			return machineError(typ, TokenInvalid, msgM2MCategory)
		}
	case j.isOAuthJWT(token):
		headerTypes = []string{typOAuthJWT, typOAuthJWTLong}
	default:
		t := "missing"
		if s, ok := js.Field(tok.Header, "typ").(string); ok {
			t = s
		}
		return machineError(typ, TokenVerificationFailed, fmt.Sprintf(msgMachineJWTType, t))
	}
	p := j.verifyParams()
	p.machine = true
	p.headerTypes = headerTypes
	p.authorizedParties = nil
	p.issuer = nil // resolveKeyAndVerifyJwt passes no issuer
	if typ == TokenTypeOAuth {
		p.audience = nil
	}
	if p.keys == nil && !p.assumeValid {
		return machineError(typ, TokenVerificationFailed, msgJWKFailedToResolve)
	}
	r := verifyToken(ctx, token, p)
	sig := r.Signature
	j.v.Signature = &sig
	j.step(stepMachineJWT, "verify the "+typ+" JWT", verifyFound(r))
	if r.Err != nil {
		msg := r.Err.Error()
		if errors.Is(r.Err, ErrUnreachable) {
			msg = msgFetchFailed // what the SDK's fetch says when the network fails
		}
		return machineError(typ, TokenVerificationFailed, msg)
	}
	claims := r.Payload
	a := &Auth{IsAuthenticated: true, TokenType: typ, ID: js.ToString(js.Field(claims, "jti")), Subject: nullIfUndefined(js.Field(claims, "sub"))}
	if typ == TokenTypeM2M {
		a.MachineID = a.Subject
		if sc, ok := js.Field(claims, "scopes").(string); ok {
			a.Scopes = strings.Split(sc, " ")
		} else if aud := js.Field(claims, "aud"); !js.IsUndefined(aud) && aud != nil {
			a.Scopes = aud
		} else {
			a.Scopes = []any{}
		}
	} else {
		want := nonEmpty(j.opts.Audience)
		if len(want) > 0 {
			if err := assertOAuthAudience(js.Field(claims, "aud"), want); err != "" {
				return machineError(typ, TokenVerificationFailed, err)
			}
		}
		a.UserID = a.Subject
		a.ClientID = js.ToString(js.Field(claims, "client_id"))
		if scp := js.Field(claims, "scp"); !js.IsUndefined(scp) && scp != nil {
			a.Scopes = scp
		} else if sc, ok := js.Field(claims, "scope").(string); ok {
			a.Scopes = strings.Split(sc, " ")
		} else {
			a.Scopes = []any{}
		}
	}
	return signedInMachine(typ, a, tok)
}

// machineError is handleMachineError for a MachineTokenVerificationError
// raised without an HTTP status (a machine JWT verified locally).
func machineError(typ, code, message string) state {
	return signedOutMachine(typ, code, fmt.Sprintf(msgMachineStatus, message, code, "n/a"))
}

// assertOAuthAudience is assertOAuthAudienceClaim; "" means it passes.
func assertOAuthAudience(aud any, want []string) string {
	var got []any
	switch x := aud.(type) {
	case []any:
		got = x
	case nil, js.UndefinedType:
	default:
		got = []any{x}
	}
	ok := len(got) > 0
	for _, g := range got {
		if s, isStr := g.(string); !isStr || s == "" {
			ok = false
		}
	}
	if !ok {
		return fmt.Sprintf("Invalid OAuth audience claim (aud) %s. Expected a non-empty string or a non-empty array of non-empty strings.", js.Stringify(aud))
	}
	for _, g := range got {
		for _, w := range want {
			if g == w {
				return ""
			}
		}
	}
	return fmt.Sprintf("OAuth audience mismatch. Verification expected audience %s, but incoming token has aud %s.", js.Stringify(stringsToAny(want)), js.Stringify(aud))
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
