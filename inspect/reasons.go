package inspect

// Request states, as the SDK spells them, plus Throws for a configuration
// error (authenticateRequest throws; the framework answers 500).
const (
	SignedIn  = "signed-in"
	SignedOut = "signed-out"
	Handshake = "handshake"
	Throws    = "throws"
)

// Request-level reasons (AuthErrorReason), spelled exactly as the SDK does.
const (
	ClientUATWithoutSessionToken   = "client-uat-but-no-session-token"
	DevBrowserMissing              = "dev-browser-missing"
	DevBrowserSync                 = "dev-browser-sync"
	PrimaryRespondsToSyncing       = "primary-responds-to-syncing"
	PrimaryDomainCrossOriginSync   = "primary-domain-cross-origin-sync"
	SatelliteCookieNeedsSyncing    = "satellite-needs-syncing"
	SessionTokenAndUATMissing      = "session-token-and-uat-missing"
	SessionTokenMissing            = "session-token-missing"
	SessionTokenExpired            = "session-token-expired"
	SessionTokenIATBeforeClientUAT = "session-token-iat-before-client-uat"
	SessionTokenNBF                = "session-token-nbf"
	SessionTokenIatInTheFuture     = "session-token-iat-in-the-future"
	SessionTokenWithoutClientUAT   = "session-token-but-no-client-uat"
	ActiveOrganizationMismatch     = "active-organization-mismatch"
	TokenTypeMismatch              = "token-type-mismatch"
	UnexpectedError                = "unexpected-error"
	NoTokenInHeader                = "No token in header"
)

// Token verification reasons (TokenVerificationErrorReason).
const (
	TokenExpired                  = "token-expired"
	TokenInvalid                  = "token-invalid"
	TokenInvalidAlgorithm         = "token-invalid-algorithm"
	TokenInvalidAuthorizedParties = "token-invalid-authorized-parties"
	TokenInvalidIssuer            = "token-invalid-issuer"
	TokenInvalidSignature         = "token-invalid-signature"
	TokenNotActiveYet             = "token-not-active-yet"
	TokenIatInTheFuture           = "token-iat-in-the-future"
	TokenVerificationFailed       = "token-verification-failed"
	SecretKeyInvalid              = "secret-key-invalid"
	JWKLocalMissing               = "jwk-local-missing"
	JWKRemoteFailedToLoad         = "jwk-remote-failed-to-load"
	JWKRemoteInvalid              = "jwk-remote-invalid"
	JWKRemoteMissing              = "jwk-remote-missing"
	JWKFailedToResolve            = "jwk-failed-to-resolve"
	JWKKidMismatch                = "jwk-kid-mismatch"
)

// Refresh codes: the suffix of session-token-expired-refresh-<code>.
const (
	RefreshNonEligibleNoCookie      = "non-eligible-no-refresh-cookie"
	RefreshNonEligibleNonGet        = "non-eligible-non-get"
	RefreshInvalidSessionToken      = "invalid-session-token"
	RefreshMissingAPIClient         = "missing-api-client"
	RefreshMissingSessionToken      = "missing-session-token"
	RefreshMissingRefreshToken      = "missing-refresh-token"
	RefreshExpiredTokenDecodeFailed = "expired-session-token-decode-failed"
	RefreshExpiredTokenMissingSID   = "expired-session-token-missing-sid-claim"
	RefreshFetchError               = "fetch-error"
	RefreshUnexpectedSDKError       = "unexpected-sdk-error"
	RefreshUnexpectedBAPIError      = "unexpected-bapi-error"
)

// refreshReasonPrefix starts every expired-token reason.
const refreshReasonPrefix = SessionTokenExpired + "-refresh-"

// reasons is every reason a verdict can end with: the request-level and
// token verification reasons, and session-token-expired-refresh- with each
// refresh code (a refresh the Backend API refuses may also end with the
// API's own error code, an open set). SessionTokenExpired alone is only
// that prefix. Tests iterate over it, so that a reason added here is
// explained, rendered and diagnosed everywhere.
var reasons = []string{
	ClientUATWithoutSessionToken,
	DevBrowserMissing,
	DevBrowserSync,
	PrimaryRespondsToSyncing,
	PrimaryDomainCrossOriginSync,
	SatelliteCookieNeedsSyncing,
	SessionTokenAndUATMissing,
	SessionTokenMissing,
	SessionTokenIATBeforeClientUAT,
	SessionTokenNBF,
	SessionTokenIatInTheFuture,
	SessionTokenWithoutClientUAT,
	ActiveOrganizationMismatch,
	TokenTypeMismatch,
	UnexpectedError,
	NoTokenInHeader,

	TokenExpired,
	TokenInvalid,
	TokenInvalidAlgorithm,
	TokenInvalidAuthorizedParties,
	TokenInvalidIssuer,
	TokenInvalidSignature,
	TokenNotActiveYet,
	TokenIatInTheFuture,
	TokenVerificationFailed,
	SecretKeyInvalid,
	JWKLocalMissing,
	JWKRemoteFailedToLoad,
	JWKRemoteInvalid,
	JWKRemoteMissing,
	JWKFailedToResolve,
	JWKKidMismatch,

	refreshReasonPrefix + RefreshNonEligibleNoCookie,
	refreshReasonPrefix + RefreshNonEligibleNonGet,
	refreshReasonPrefix + RefreshInvalidSessionToken,
	refreshReasonPrefix + RefreshMissingAPIClient,
	refreshReasonPrefix + RefreshMissingSessionToken,
	refreshReasonPrefix + RefreshMissingRefreshToken,
	refreshReasonPrefix + RefreshExpiredTokenDecodeFailed,
	refreshReasonPrefix + RefreshExpiredTokenMissingSID,
	refreshReasonPrefix + RefreshFetchError,
	refreshReasonPrefix + RefreshUnexpectedSDKError,
	refreshReasonPrefix + RefreshUnexpectedBAPIError,
}
