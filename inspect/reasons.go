package inspect

// Status is a request state (authStatus.ts's AuthStatus), as the SDK
// spells it, or Throws. It is a string so that it reads and encodes as the
// SDK's value.
type Status string

// Request states, as the SDK spells them, plus Throws for a configuration
// error (authenticateRequest throws; the framework answers 500).
const (
	SignedIn  Status = "signed-in"
	SignedOut Status = "signed-out"
	Handshake Status = "handshake"
	Throws    Status = "throws"
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

// SDK error texts for configuration problems (authenticateRequest throws).
const (
	ErrTextPublishableKeyMissing = "Publishable key is missing.\n\n" + keySetupGuidance
	ErrTextPublishableKeyInvalid = "Publishable key not valid (expected format: pk_test_... or pk_live_...).\n\n" + keySetupGuidance
	ErrTextSecretKeyMissing      = "Missing Clerk Secret Key. Go to https://dashboard.clerk.com and get your key for your instance."
	ErrTextSignInURLMissing      = "Missing signInUrl. Pass a signInUrl for dev instances if an app is satellite"
	ErrTextSignInURLNotAbsolute  = "The signInUrl needs to have a absolute url format."
	ErrTextSignInURLSameOrigin   = "The signInUrl needs to be on a different origin than your satellite application."
	ErrTextSatelliteNoDomain     = "Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl"
	ErrTextMachineNoSecret       = "Machine token authentication requires either a Machine secret key or a Clerk secret key. Ensure a Clerk secret key or Machine secret key is set."
)

// keySetupGuidance is appended by the SDK to every publishable-key error.
const keySetupGuidance = `To create a new Clerk app, run:
npx clerk@latest init

'npx clerk@latest init' does not need a Clerk account and writes temporary dev keys.

To use an existing Clerk app, run:
npx clerk@latest link
npx clerk@latest env pull

For production keys, run:
npx clerk@latest env pull --instance prod

Or copy keys from https://dashboard.clerk.com/~/api-keys into your .env file.`

// Exceptions authenticateRequest throws besides the configuration
// errors: the SDK's own texts, or the JavaScript runtime's (a URL that does
// not parse, a token payload of null).
const (
	errTextURLParse           = "Failed to parse URL from "
	errTextInvalidURL         = "Invalid URL"
	errTextNullPayload        = "Cannot read properties of null (reading 'iat')"
	errTextHandshakeSignature = "Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again."
	errTextHandshakeRetry     = "Clerk: Handshake retry failed."
	errTextHandshake          = "Clerk: Handshake failed."
	errTextHandshakeFailed    = "Clerk: Handshake token verification failed: %s."
)

// What the SDK logs on its way (Verdict.Logs), with the console level
// clerkscope prefixes.
const (
	logUnableToResolveHandshake = "error: Clerk: unable to resolve handshake: Error: "
	logMissingAZP               = "warn: Clerk: Session token from cookie is missing the azp claim. In a future version of Clerk, this token will be considered invalid. Please contact Clerk support if you see this warning."
	logOrgSyncLoop              = "warn: Clerk: Organization activation handshake loop detected. This is likely due to an invalid organization ID or slug. Skipping organization activation."
	logSatelliteLoop            = "log: Clerk: Satellite-domain authentication resulted in an infinite redirect loop. Check that this request is using a configured primary or satellite domain for the production instance. For preview deployments, use a development/staging Clerk instance or a supported configured preview-domain setup."
	logRefreshLoop              = "log: Clerk: Refreshing the session token resulted in an infinite redirect loop. This usually means that your Clerk instance keys do not match - make sure to copy the correct publishable and secret keys from the Clerk dashboard."
	logHandshakePayload         = "error: Clerk: HandshakeService: error getting handshake payload: ClerkAPIResponseError: "
	logClockSkew                = "error: Clerk: Clock skew detected. This usually means that your system clock is inaccurate. Clerk will attempt to account for the clock skew in development.\n\nTo resolve this issue, make sure your system's clock is set to the correct time (e.g. turn off and on automatic time synchronization).\n\n---\n\n"
)

// Messages of the errors the SDK raises while verifying a token, a
// handshake or a machine token: the message of a TokenVerificationError or
// MachineTokenVerificationError, which x-clerk-auth-message carries. A
// trailing %s or %d is filled in as the SDK's template literal does.
const (
	msgCrossOriginSync             = "Cross-origin request from satellite domain requires handshake"
	msgJWKFailedToResolveHandshake = "Failed to resolve JWK during handshake verification."
	msgInvalidAlgorithm            = "Invalid JWT algorithm %s. Supported: RS256,RS384,RS512."
	msgHandshakeCategory           = "Invalid handshake token category."
	msgHandshakeKeyAlg             = `Error verifying handshake token. Error: JWK "alg" does not match the requested algorithm`
	msgHandshakeSignature          = "Handshake signature is invalid."
	msgMachineStatus               = "%s (code=%s, status=%s)"
	msgMachineStatusCode           = "%s (code=%s, status=%d)"
	msgInvalidSecretKey            = "Invalid secret key"
	msgAPIKeyNotFound              = "API key not found"
	msgM2MTokenNotFound            = "Machine token not found"
	msgOAuthTokenNotFound          = "OAuth token not found"
	msgUnexpectedErrorStatus       = "Unexpected error (code=%s, status=%d)"
	msgUnexpectedErrorNoStatus     = "Unexpected error (code=unexpected-error, status=n/a)"
	msgM2MCategory                 = "Invalid M2M JWT category."
	msgMachineJWTType              = "Invalid JWT type: %s. Expected one of: at+jwt, application/at+jwt for OAuth, or sub starting with 'mch_' for M2M"
	msgJWKFailedToResolve          = "Failed to resolve JWK during verification."
	msgFetchFailed                 = "fetch failed"
	msgSessionCategory             = "Invalid session token category."
	msgKeyAlg                      = `Error verifying JWT signature. Error: JWK "alg" does not match the requested algorithm`
	msgSignature                   = "JWT signature is invalid."
	msgHeaderType                  = "Invalid JWT type %s. Expected \"%s\"."
	msgSubject                     = "Subject claim (sub) is required and must be a string. Received %s."
	msgAuthorizedParty             = "Invalid JWT Authorized party claim (azp) %s. Expected \"%s\"."
	msgIssuer                      = "Invalid JWT issuer claim (iss) %s. Expected \"%s\"."
	msgExpNotNumber                = "Invalid JWT expiry date claim (exp) %s. Expected number."
	msgExpired                     = "JWT is expired. Expiry date: %s, Current date: %s."
	msgNBFNotNumber                = "Invalid JWT not before date claim (nbf) %s. Expected number."
	msgNotActiveYet                = "JWT cannot be used prior to not before date claim (nbf). Not before date: %s; Current date: %s;"
	msgIATNotNumber                = "Invalid JWT issued at date claim (iat) %s. Expected number."
	msgIATInTheFuture              = "JWT issued at date claim (iat) is in the future. Issued at date: %s; Current date: %s;"
	msgAudience                    = "Invalid JWT audience claim (aud) %s. Is not included in \"%s\"."
	msgAudienceArray               = "Invalid JWT audience claim array (aud) %s. Is not included in \"%s\"."
	msgJWKLocalMissing             = "Missing local JWK."
	msgJWKSEmpty                   = "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com."
	msgKidMismatch                 = "Unable to find a signing key in JWKS that matches the kid='%s' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT."
	msgJWKSLoad                    = "Error loading Clerk JWKS from %s/v1/jwks with code=%d"
	msgJWTParts                    = "Invalid JWT form. A JWT consists of three parts separated by dots."
	msgJWTDecode                   = "Invalid JWT form. The header, payload, or signature could not be decoded."
	msgFeaClaim                    = "Invalid claim element (missing colon): %s"
)

// actionKidMismatch is the action of a jwk-kid-mismatch error.
const actionKidMismatch = "Go to your Dashboard and validate your secret and public keys are correct. " + ActionContactSupport + " if the issue persists."

// Actions the SDK attaches to verification errors.
const (
	ActionContactSupport = "Contact support@clerk.com"
	ActionEnsureClerkJWT = "Make sure that this is a valid Clerk-generated JWT."
	ActionSetJWTKey      = "Set the CLERK_JWT_KEY environment variable."
	ActionSetSecretKey   = "Set the CLERK_SECRET_KEY environment variable."
)
