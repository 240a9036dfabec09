package inspect

// Names the SDK reads and writes, spelled as @clerk/backend 3.25.0's
// constants.ts spells them; logic files use these, never the literals.

// Cookies (constants.Cookies). A suffixed cookie is the name, "_" and the
// instance's cookie suffix.
const (
	CookieSession        = "__session"
	CookieRefresh        = "__refresh"
	CookieClientUAT      = "__client_uat"
	CookieHandshake      = "__clerk_handshake"
	CookieDevBrowser     = "__clerk_db_jwt"
	CookieRedirectCount  = "__clerk_redirect_count"
	CookieHandshakeNonce = "__clerk_handshake_nonce"
)

// Query parameters (constants.QueryParameters, and the handshake URL's own
// from HandshakeService.buildRedirectToHandshake).
const (
	QueryClerkSynced      = "__clerk_synced"
	QuerySuffixedCookies  = "suffixed_cookies"
	QueryClerkRedirectURL = "__clerk_redirect_url"
	QueryDevBrowser       = CookieDevBrowser
	QueryHandshake        = CookieHandshake
	QueryHandshakeHelp    = "__clerk_help"
	QueryLegacyDevBrowser = "__dev_session"
	QueryHandshakeReason  = "__clerk_hs_reason"
	QueryHandshakeNonce   = CookieHandshakeNonce
	QueryHandshakeFormat  = "format"
	QuerySession          = CookieSession
	QueryRedirectURL      = "redirect_url"
	QueryAPIVersion       = "__clerk_api_version"
	QueryOrganizationID   = "organization_id"
)

// The values of __clerk_synced (constants.ClerkSyncStatus) and of the
// handshake's format parameter.
const (
	syncNeeded      = "false"
	syncCompleted   = "true"
	handshakeFormat = "nonce"
)

// Headers (constants.Headers, lower case as the Fetch Headers object keeps
// them), and the ones the SDK sets without a constant.
const (
	HeaderAccept           = "accept"
	HeaderAuthMessage      = "x-clerk-auth-message"
	HeaderAuthorization    = "authorization"
	HeaderAuthReason       = "x-clerk-auth-reason"
	HeaderAuthStatus       = "x-clerk-auth-status"
	HeaderCacheControl     = "cache-control"
	HeaderCookie           = "cookie"
	HeaderForwardedHost    = "x-forwarded-host"
	HeaderForwardedProto   = "x-forwarded-proto"
	HeaderHost             = "host"
	HeaderLocation         = "location"
	HeaderOrigin           = "origin"
	HeaderReferrer         = "referer"
	HeaderSecFetchDest     = "sec-fetch-dest"
	HeaderSetCookie        = "set-cookie"
	HeaderAllowOrigin      = "access-control-allow-origin"
	HeaderAllowCredentials = "access-control-allow-credentials"
	// headerAuthority is HTTP/2's Host, which Node's request carries as a
	// header.
	headerAuthority = ":authority"
)

// Header values the SDK reads or writes.
const (
	bearerScheme              = "Bearer"
	secFetchDestDocument      = "document"
	secFetchDestIframe        = "iframe"
	acceptHTML                = "text/html"
	cacheControlNoStore       = "no-store"
	allowOriginHandshake      = "null"
	allowCredentialsHandshake = "true"
	// redirectCountAttributes follow __clerk_redirect_count=<n> on every
	// handshake redirect.
	redirectCountAttributes = "; SameSite=Lax; HttpOnly; Max-Age=2"
)

// The redirect loop guards: handleMaybeHandshakeStatus stops at exactly
// this __clerk_redirect_count, handleMaybeOrganizationSyncHandshake at this
// count or more.
const (
	redirectCountLimit        = 3
	orgSyncRedirectCountLimit = 3
)

// APIVersion is the Backend API version the SDK asks for
// (SUPPORTED_BAPI_VERSION), sent as __clerk_api_version on handshakes.
const APIVersion = "2026-05-12"

// The Backend API and Frontend API paths the SDK calls, and the Backend
// API's origin when the app names none.
const (
	apiURL                   = "https://api.clerk.com"
	pathJWKS                 = "/v1/jwks"
	pathRefreshSession       = "/v1/sessions/%s/refresh"
	pathHandshakePayload     = "/v1/clients/handshake_payload"
	pathVerifyAPIKey         = "/v1/api_keys/verify"
	pathVerifyM2MToken       = "/v1/m2m_tokens/verify"
	pathVerifyOAuthToken     = "/v1/oauth_applications/access_tokens/verify"
	pathFrontendAPIHandshake = "v1/client/handshake" // relative to the Frontend API, as the SDK joins it
)

// Token types (tokenTypes.ts), as acceptsToken and toAuth() spell them.
const (
	TokenTypeSession = "session_token"
	TokenTypeAPIKey  = "api_key"
	TokenTypeM2M     = "m2m_token"
	TokenTypeOAuth   = "oauth_token"
	tokenTypeAny     = "any"
)

// Machine tokens by prefix and shape (machine.ts).
const (
	prefixM2MToken   = "mt_"
	prefixM2MSubject = "mch_"
	prefixOAuthToken = "oat_"
	prefixAPIKey     = "ak_"
	typOAuthJWT      = "at+jwt"
	typOAuthJWTLong  = "application/at+jwt"
)

// claimHandshake is the handshake token's claim that holds the Set-Cookie
// directives.
const claimHandshake = "handshake"

// sessionStatusPending is the sts claim of a session with a task left
// (toAuth() treats it as signed out by default).
const sessionStatusPending = "pending"

// Where the token a verdict rests on came from (Verdict.TokenCarrier); the
// first two are the SDK's token-carrier of x-clerk-auth-message.
const (
	carrierCookie    = "cookie"
	carrierHeader    = "header"
	carrierHandshake = "handshake"
	carrierRefresh   = "refresh"
)

// Step ids: each check of the decision procedure has one, numbered as in
// ../shared/spec/auth-state.md, and each id names one check. A check the
// spec's tables leave implicit has the id of its section (5.1, 7, 6.4) or a
// sub-number of the row it belongs to (C15.1, 7.1); MH1 and MH3 are steps 1
// and 3 of §6.1's MAYBE-HANDSHAKE, TE1 step 1 of its TOKEN-ERROR; M1 and M2
// are the two ways a machine token is verified (§9.4). The README lists
// them for readers of the JSON.
const (
	stepInstance             = "1.1"  // the instance, when none was given
	stepCookieSet            = "2.3/" // + the rule that chose the cookie set
	stepPublicURL            = "5.1"  // the public URL from Host / X-Forwarded-*
	stepEligible             = "MH1"  // handshake-eligible?
	stepLoopGuard            = "MH3"  // __clerk_redirect_count
	stepFailureKind          = "TE1"  // a verification error, or another failure?
	stepRefresh              = "6.4"  // server-side refresh
	stepThrows               = "P"    // authenticateRequest throws
	stepPublishableKey       = "P1"
	stepAcceptsList          = "R1"
	stepAuthorization        = "R2"
	stepMachineAccepted      = "R2''"
	stepNoHeaderToken        = "R3"
	stepHeaderKind           = "H1"
	stepHeaderVerify         = "H2"
	stepHandshakePresent     = "C1"
	stepHandshakeSignature   = "7.1"
	stepHandshakeDirectives  = "7"
	stepSatelliteSync        = "C2/C3"
	stepPrimarySync          = "C4"
	stepDevBrowserSync       = "C5"
	stepDevBrowser           = "C6"
	stepClientUATAndSession  = "C7–C9"
	stepDecodes              = "C10"
	stepSessionKind          = "C11"
	stepIATBeforeClientUAT   = "C12"
	stepCookieVerify         = "C13"
	stepCrossOrigin          = "C14"
	stepAuthObject           = "C15.1"
	stepOrgSync              = "C15"
	stepSignedIn             = "C16"
	stepMachineJWT           = "M1"
	stepMachineBackendVerify = "M2"
)
