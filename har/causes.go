package har

import "github.com/clerkscope/clerkscope/cause"

// The cause catalogue: the root causes clerkscope can name, in the words a
// support engineer would use on a ticket. Each has a stable code (the
// README lists them; scripts may branch on them), what it means, how to fix
// it and the Clerk docs page to read. A diagnosis is raised only from
// evidence in the input (see diagnose.go) and carries its own title, the
// entries that prove it and how sure clerkscope is.

// Confidence says how sure a diagnosis is: cause's levels, which the
// webhook deliveries' diagnoses share.
const (
	Certain  = cause.Certain
	Likely   = cause.Likely
	Possible = cause.Possible
)

// Cause codes.
const (
	CodeServerClockAhead     = "server-clock-ahead"
	CodeServerClockBehind    = "server-clock-behind"
	CodeBrowserClockOff      = "browser-clock-off"
	CodeHandshakeLoop        = "handshake-loop"
	CodeOtherAppCookies      = "cookies-from-another-app"
	CodeForeignToken         = "token-from-another-instance"
	CodeKeysMismatch         = "keys-from-different-instances"
	CodeProxyHost            = "proxy-host-mismatch"
	CodeAZPNotAllowed        = "azp-not-allowed"
	CodeAZPMissing           = "azp-missing"
	CodeTokenTooLarge        = "session-token-too-large"
	CodeSubdomainAPI         = "session-cookie-not-on-api-host"
	CodeProtectRewrite       = "protect-rewrite-404"
	CodeBadAuthHeader        = "bad-authorization-header"
	CodeDevBrowserLost       = "dev-browser-not-kept"
	CodeThirdPartyApp        = "app-domain-not-instance-domain"
	CodeSafariITP            = "safari-cookie-cap"
	CodeSignInLoop           = "sign-in-redirect-loop"
	CodeEdgeCache            = "edge-cache"
	CodeNonceFailed          = "handshake-nonce-failed"
	CodeSatelliteNoSync      = "satellite-not-syncing"
	CodeCookieNotSent        = "cookie-not-sent"
	CodeSignedOutElsewhere   = "signed-out-elsewhere"
	CodeTabSlept             = "token-expired-tab-slept"
	CodeTokenNotRefreshed    = "token-not-refreshed"
	CodeAPIStaleToken        = "api-stale-token"
	CodeAPINoCredentials     = "api-no-credentials"
	CodeMiddlewareNotRunning = "middleware-not-running"
	CodeSignInProtected      = "sign-in-page-protected"
	CodeSanitized            = "sanitized-export"
	CodeConfigError          = "configuration-error"
	CodeStalePaste           = "stale-paste"
	CodeSignedOut            = "signed-out"
	CodeDevBrowser           = "dev-browser-bootstrap"
	CodeDevOnPublicHost      = "development-instance-in-production"
	CodeServerDisagrees      = "options-differ"
	CodeSignedInThroughout   = "signed-in"
)

// causes is the catalogue, in the order a person should read them.
var causes = []cause.Entry{
	{Code: CodeServerClockAhead, Problem: true,
		Why:  "The application server's clock runs ahead of real time. The SDK compares a session token's exp, nbf and iat with the server's own clock and tolerates only clockSkewInMs (5 s by default), so a token minted a moment ago by Clerk already looks expired: every page load handshakes for a fresh token, the fresh one looks expired too, and after three tries the SDK gives up and signs the user out.",
		Fix:  []string{"Synchronise the server's clock with NTP (chrony or systemd-timesyncd on a VM; on containers the host's clock; on Windows w32tm /resync).", "Only as a stopgap while the clock is fixed: raise clockSkewInMs in clerkMiddleware/authenticateRequest to more than the offset."},
		Docs: "https://clerk.com/docs/references/nextjs/clerk-middleware"},
	{Code: CodeServerClockBehind, Problem: true,
		Why:  "The application server's clock runs behind real time. Tokens Clerk mints carry iat and nbf at Clerk's time, so on a server whose clock is behind they look issued in the future or not yet valid (beyond the 5 s of clockSkewInMs): the SDK answers with a handshake on page loads and signed-out on API calls.",
		Fix:  []string{"Synchronise the server's clock with NTP (chrony or systemd-timesyncd on a VM; on containers the host's clock; on Windows w32tm /resync).", "Only as a stopgap while the clock is fixed: raise clockSkewInMs in clerkMiddleware/authenticateRequest to more than the offset."},
		Docs: "https://clerk.com/docs/references/nextjs/clerk-middleware"},
	{Code: CodeBrowserClockOff, Problem: false,
		Why: "The browser's clock is off, but the application and Clerk's servers agree with each other. The SDK judges tokens at the server's clock, so this does not sign anyone out; clerk-js compensates for its own clock.",
		Fix: []string{"Nothing on the server. Fix the computer's clock if other sites misbehave."}},
	{Code: CodeHandshakeLoop, Problem: true,
		Why:  "The SDK redirected the page to Clerk's Frontend API for a fresh session (a handshake), the browser came back, and the SDK handshaked again instead of signing the user in. After three rounds (__clerk_redirect_count) it stops and answers signed-out; the user sees a redirect loop or is sent to sign in.",
		Fix:  []string{"Fix the cause named with the loop; the loop itself is only the symptom."},
		Docs: "https://clerk.com/docs/how-clerk-works/overview"},
	{Code: CodeSignInLoop, Problem: true,
		Why:  "The server keeps sending the browser to the sign-in page, and the sign-in page (where clerk-js sees a signed-in user) sends it straight back: the browser and the server disagree about the session. The server's reason for each redirect says which side is wrong.",
		Fix:  []string{"Fix the cause named with the loop: it is what makes the server see no valid session while clerk-js does."},
		Docs: "https://clerk.com/docs/references/nextjs/clerk-middleware"},
	{Code: CodeOtherAppCookies, Problem: true,
		Why:  "The browser holds Clerk cookies of another app, instance or environment for the same domain (staging and production on one parent domain, a development instance beside production, an old deployment's leftovers). Cookies of one name are sent together and the SDK reads only one copy, so the other app's __client_uat or __session decides this app's verdict.",
		Fix:  []string{"Clear the cookies for the parent domain (DevTools → Application → Cookies) to confirm.", "Give each environment its own domain, or a Clerk instance per environment on separate subdomains so their cookies do not overlap; never set Clerk cookies on the bare parent domain from a second app."},
		Docs: "https://clerk.com/docs/deployments/overview"},
	{Code: CodeForeignToken, Problem: true,
		Why:  "The session token was minted by another Clerk instance than the one the app is configured for (its iss or key id does not match): a development token on production, another app's token on a shared domain, or keys rotated since.",
		Fix:  []string{"Compare the token's iss with the Frontend API of the publishable key.", "Check that CLERK_PUBLISHABLE_KEY and CLERK_SECRET_KEY (and CLERK_JWT_KEY) all come from the same instance on the Dashboard's API keys page."},
		Docs: "https://clerk.com/docs/deployments/clerk-environment-variables"},
	{Code: CodeKeysMismatch, Problem: true,
		Why:  "The app's keys do not belong to one instance (a pk_live_ publishable key with an sk_test_ secret key, or a JWT key or JWKS of another instance). Tokens minted for the publishable key's instance then fail verification with the other key, on every request.",
		Fix:  []string{"Copy the publishable key, the secret key and the JWT public key from one instance on the Dashboard's API keys page (production and development have different keys).", "Redeploy after changing environment variables: many hosts bake them in at build time."},
		Docs: "https://clerk.com/docs/deployments/clerk-environment-variables"},
	{Code: CodeProxyHost, Problem: true,
		Why:  "A reverse proxy or load balancer in front of the app does not pass the original host and scheme (Host, X-Forwarded-Host, X-Forwarded-Proto). The SDK builds its redirect URLs and checks the token's azp from what it receives, so it sends the browser to the internal address (localhost, http://, a container name) and the handshake cannot come back.",
		Fix:  []string{"Make the proxy forward the public host and scheme: X-Forwarded-Host and X-Forwarded-Proto (nginx: proxy_set_header X-Forwarded-Host $host; proxy_set_header X-Forwarded-Proto $scheme), or keep the original Host header.", "Behind Clerk's own proxy feature, set proxyUrl to the public URL."},
		Docs: "https://clerk.com/docs/guides/development/deployment/behind-a-proxy"},
	{Code: CodeAZPNotAllowed, Problem: true,
		Why:  "The session token was minted for a page at an origin (its azp claim) that the app's authorizedParties list does not include, so the SDK refuses it. A token without azp is not checked at all.",
		Fix:  []string{"Add the origin exactly as the browser shows it (scheme, host and port, no path or trailing slash) to authorizedParties, or remove the list."},
		Docs: "https://clerk.com/docs/references/backend/authenticate-request"},
	{Code: CodeAZPMissing, Problem: true,
		Why:  "The session token has no azp claim and the app sets authorizedParties. Since @clerk/backend 3.11.1 such a token is refused (\"Invalid JWT Authorized party claim (azp) undefined\"). The Frontend API mints tokens without azp when the request that asked for one carried no Origin (a top-level navigation, a server-side call).",
		Fix:  []string{"Upgrade clerk-js / the Clerk SDKs so new tokens carry azp, and ask Clerk support if tokens without azp keep appearing.", "As a stopgap, remove authorizedParties (or pin @clerk/backend below 3.11.1) until the tokens carry azp."},
		Docs: "https://clerk.com/docs/references/backend/authenticate-request"},
	{Code: CodeTokenTooLarge, Problem: true,
		Why:  "The session token is close to or over the 4 KB a browser stores in one cookie, usually because of custom claims (metadata copied into the session token). The browser drops the cookie, so the server never sees a session although the user signed in.",
		Fix:  []string{"Keep custom session claims small (Clerk advises under 1.2 KB): put an id in the token and read the rest from the Backend API or your database."},
		Docs: "https://clerk.com/docs/backend-requests/resources/session-tokens"},
	{Code: CodeSubdomainAPI, Problem: true,
		Why:  "The request goes to another host than the page (an API on a subdomain). __client_uat is set on the parent domain and travels there, but __session is host-only and does not, so the SDK sees a signed-in client without a session token and, on a fetch, answers signed-out.",
		Fix:  []string{"Send the session token in Authorization: Bearer (await getToken()) on calls to the other host.", "Or serve the API from the app's own origin (a rewrite or proxy)."},
		Docs: "https://clerk.com/docs/backend-requests/making/cross-origin"},
	{Code: CodeProtectRewrite, Problem: false,
		Why:  "auth.protect() answered a signed-out request that is not a page navigation with a rewrite to a 404 (x-clerk-auth-reason: protect-rewrite), by design: the API looks missing rather than unauthorised.",
		Fix:  []string{"Expected for signed-out API calls; if the caller should be signed in, fix why it is signed out (see the other findings). Return your own 401 with auth() and a check instead of auth.protect() if clients need one."},
		Docs: "https://clerk.com/docs/references/nextjs/auth"},
	{Code: CodeBadAuthHeader, Problem: true,
		Why:  "The request sends an Authorization header that holds no usable token (\"Bearer undefined\", \"Bearer null\", an empty or non-JWT value). The frontend built the header before it had a token: getToken() resolved to null (signed out, or Clerk not loaded yet) or the variable was never set. The SDK then judges the header, not the cookies, and answers signed-out.",
		Fix:  []string{"Await getToken() and send the header only when it returned a token; wait for Clerk to load (isLoaded) before calling the API.", "Same-origin calls do not need the header at all: the __session cookie travels by itself."},
		Docs: "https://clerk.com/docs/backend-requests/making/cross-origin"},
	{Code: CodeDevBrowserLost, Problem: true,
		Why:  "On a development instance the browser is identified by the dev browser token (__clerk_db_jwt). The SDK handshakes to get one, but the next request comes back without it, so it handshakes again: the browser does not keep the cookie (third-party or all cookies blocked — Brave, Safari, incognito —, a mix of localhost and 127.0.0.1, or an old SDK).",
		Fix:  []string{"Open the app on http://localhost (not 127.0.0.1) and allow cookies for it; try a normal (not private) window.", "Upgrade @clerk/nextjs / clerk-js, or use a production instance for browsers that block third-party cookies."},
		Docs: "https://clerk.com/docs/deployments/overview"},
	{Code: CodeThirdPartyApp, Problem: true,
		Why:  "The app runs on a domain the production instance was not set up for (a preview URL such as *.vercel.app, a www/bare-domain mismatch). Its Frontend API lives on another site, so Clerk's cookies are third-party there: browsers that block them (Safari, Firefox, Chrome's third-party-cookie phase-out) lose the session.",
		Fix:  []string{"Serve production from the domain configured for the instance (Dashboard → Domains), or add the domain as a satellite.", "Use a development instance (or a separate instance) for preview deployments."},
		Docs: "https://clerk.com/docs/deployments/overview"},
	{Code: CodeSafariITP, Problem: true,
		Why: "Safari (Intelligent Tracking Prevention) caps cookies written by scripts to 7 days. clerk-js writes __client_uat and __session with document.cookie, so a Safari user who has not visited for a week loses them and looks signed out although the session is still active.",
		Fix: []string{"Upgrade clerk-js / the Clerk SDKs (newer versions refresh the cookies from the server side), and serve the Frontend API on your own domain (a production instance's Clerk subdomain)."}},
	{Code: CodeEdgeCache, Problem: true,
		Why:  "A CDN or edge cache served a response of the auth middleware that was made for another request: a cached handshake redirect sends every visitor through Clerk again and again, a cached signed-in page shows one user's page to others or hides a sign-out, and its x-clerk-auth headers describe whoever was cached.",
		Fix:  []string{"Never cache responses of pages the middleware runs on: send Cache-Control: private, no-store on them (the SDK sets no-store on handshakes; a CDN rule can override it).", "Exclude those paths from the CDN cache rules (Cloudflare Cache Rules, Vercel's cache headers, a service worker), then purge the cache."},
		Docs: "https://clerk.com/docs/how-clerk-works/overview"},
	{Code: CodeNonceFailed, Problem: true,
		Why:  "The browser came back from the handshake with a nonce, and the SDK could not exchange it for the session at the Backend API (a wrong or missing secret key, the Backend API unreachable from the server, a network egress rule). The SDK then carries on with the old cookies and signs the request out, which looks like a signed-out user but is a server-side failure.",
		Fix:  []string{"Check the server's logs for the Backend API error around that time.", "Check that CLERK_SECRET_KEY is set on the server and belongs to the same instance as the publishable key, and that the server can reach api.clerk.com."},
		Docs: "https://clerk.com/docs/deployments/clerk-environment-variables"},
	{Code: CodeSatelliteNoSync, Problem: true,
		Why:  "The app is a satellite domain: it has no Clerk cookies of its own until it syncs with the primary domain. With satelliteAutoSync off, a visit stays signed out until the user goes through sign-in; when the sync goes back and forth (__clerk_synced) without setting cookies, the satellite and primary options do not match.",
		Fix:  []string{"Set isSatellite and domain (or proxyUrl) on the satellite, signInUrl pointing to the primary, and allowedRedirectOrigins on the primary.", "Turn satelliteAutoSync on if satellites should sign users in on their first visit."},
		Docs: "https://clerk.com/docs/advanced-usage/satellite-domains"},
	{Code: CodeCookieNotSent, Problem: true,
		Why:  "A Clerk cookie the browser was given is not sent back on a later request. Browsers drop cookies that are SameSite=Strict on navigations coming from another site, Secure cookies on http://, third-party cookies (Safari's ITP, Chrome's third-party-cookie blocking, incognito), and cookies whose Domain or Path does not cover the URL.",
		Fix:  []string{"Compare the Set-Cookie attributes (Domain, Path, Secure, SameSite) with the URL of the request that lacked the cookie.", "Serve the app and the Frontend API from the same site (a custom Clerk domain on your own domain) so the cookies are first-party."},
		Docs: "https://clerk.com/docs/deployments/overview"},
	{Code: CodeSignedOutElsewhere, Problem: false,
		Why: "The browser's __client_uat changed between two requests although this capture holds no sign-in or sign-out: the user signed out (or in) in another tab, window or app sharing the cookies, and this tab followed.",
		Fix: []string{"Nothing to fix if that is what the user did; otherwise look for another app on the same domain writing Clerk cookies."}},
	{Code: CodeTabSlept, Problem: false,
		Why: "Session tokens live about 60 s and clerk-js refreshes them while the tab is open. After a pause (a closed or sleeping tab) the first page load carries an expired token, handshakes once and comes back with a fresh one. This is Clerk working as designed.",
		Fix: []string{"Nothing to fix. If the user was sent to sign in afterwards, look at how the handshake ended."}},
	{Code: CodeTokenNotRefreshed, Problem: true,
		Why:  "The session token expires again and again while the user is active: clerk-js is not refreshing it in the page (clerk-js not loaded on these pages, blocked by a content-security policy or an ad blocker, or its Frontend API calls failing), so the server keeps seeing expired tokens.",
		Fix:  []string{"Check that ClerkProvider (or clerk-js) loads on these pages and that its requests to the Frontend API succeed (DevTools console and network).", "Allow the Frontend API host in the Content-Security-Policy (script-src, connect-src)."},
		Docs: "https://clerk.com/docs/guides/secure/best-practices/csp-headers"},
	{Code: CodeAPIStaleToken, Problem: true,
		Why:  "API calls (fetch/XHR) carry an expired session token. Unlike page loads, a fetch cannot be redirected through a handshake, so it gets signed-out (401) until clerk-js has refreshed the cookie.",
		Fix:  []string{"Send a fresh token: await getToken() right before each call (Authorization: Bearer), or retry once after a 401.", "Make sure clerk-js is loaded on the page that makes the calls, so the cookie is refreshed."},
		Docs: "https://clerk.com/docs/backend-requests/making/same-origin"},
	{Code: CodeAPINoCredentials, Problem: true,
		Why:  "Page loads are signed in but API calls are not: the calls carry neither the session cookie nor an Authorization header. Cross-origin fetches do not send cookies unless asked, and a separate API domain does not receive the app's cookies at all.",
		Fix:  []string{"Same origin: fetch sends cookies by default; check the API is really on the app's origin.", "Cross origin: send the token in Authorization: Bearer (await getToken()), or use credentials: 'include' with a CORS policy that allows credentials."},
		Docs: "https://clerk.com/docs/backend-requests/making/cross-origin"},
	{Code: CodeMiddlewareNotRunning, Problem: true,
		Why:  "These responses carry none of the headers the Clerk middleware sets on every request that is not signed in (x-clerk-auth-status, x-clerk-auth-reason), although the SDK would not sign them in: the middleware did not run on these routes, so auth() has nothing to read (\"auth() returns null\", \"clerkMiddleware() was not run\").",
		Fix:  []string{"Make the middleware's matcher cover these paths (Next.js: the config.matcher in middleware.ts, including /api and /trpc routes), and check the middleware file's location (next to app/ or in src/).", "Frameworks without a global middleware: call clerkMiddleware()/authenticateRequest on these routes too."},
		Docs: "https://clerk.com/docs/references/nextjs/clerk-middleware"},
	{Code: CodeSignInProtected, Problem: true,
		Why:  "The sign-in page itself is protected by the middleware: a signed-out visitor is redirected to sign in, which redirects again, so nobody can reach the form.",
		Fix:  []string{"Mark the sign-in and sign-up routes public (createRouteMatcher(['/sign-in(.*)', '/sign-up(.*)']) and skip auth.protect() for them)."},
		Docs: "https://clerk.com/docs/references/nextjs/clerk-middleware"},
	{Code: CodeSanitized, Problem: true,
		Why: "The capture was exported without cookies: no request carries a Cookie or Authorization header and no response a Set-Cookie. Every verdict then sees a browser without Clerk cookies, which is not what happened.",
		Fix: []string{"Export again with sensitive data. Chrome/Edge: DevTools → Settings → Preferences → Network → \"Allow to generate HAR with sensitive data\", then Export HAR (with sensitive data). Firefox and Safari include cookies in \"Save All As HAR\". Share it privately: it holds live session tokens."}},
	{Code: CodeConfigError, Problem: true,
		Why:  "authenticateRequest throws before it looks at the user's cookies: the app's Clerk configuration is incomplete or wrong, and every request fails with HTTP 500.",
		Fix:  []string{"Fix the configuration named in the error (the keys in the environment of the running server, satellite options)."},
		Docs: "https://clerk.com/docs/deployments/clerk-environment-variables"},
	{Code: CodeStalePaste, Problem: false,
		Why: "The pasted cookies or token are old, and a paste does not say when it was copied. Judged at today's date every session token has long expired, which says nothing about what went wrong then; judged within the token's lifetime (about 60 s after it was issued) it shows what the server saw if the cookies were copied while the token was fresh. Copied after the token expired (a tab left open, a sleeping laptop), the request was the expired-token case.",
		Fix: []string{"Read the verdict at the time of capture below; for today's problem ask for a fresh capture (a HAR, or the Cookie header copied right after reproducing it)."}},
	{Code: CodeSignedOut, Problem: false,
		Why: "The browser is genuinely signed out: no session token, and __client_uat says no one is signed in (after a sign-out, on a first visit, or with cleared cookies).",
		Fix: []string{"Nothing to fix if the user signed out. If they expected to be signed in, check that the cookies reach this domain (Domain of __client_uat, another subdomain, blocked cookies)."}},
	{Code: CodeDevBrowser, Problem: false,
		Why: "A development instance identifies the browser with a dev browser token (__clerk_db_jwt). The first visit had none, so the SDK handshaked to create one. This is the normal start of every browser on a development instance.",
		Fix: []string{"Nothing to fix."}},
	{Code: CodeDevOnPublicHost, Problem: true,
		Why:  "A development instance (pk_test_ keys) serves a deployed site. Development instances keep the session in the dev browser (__clerk_db_jwt in URLs, third-party cookies to *.clerk.accounts.dev), which Safari and strict cookie settings drop, and they are rate-limited: users get signed out or loop on some browsers only.",
		Fix:  []string{"Deploy with a production instance (pk_live_/sk_live_ keys and a Clerk domain on your own domain)."},
		Docs: "https://clerk.com/docs/deployments/overview"},
	{Code: CodeServerDisagrees, Problem: true,
		Why: "The app's responses carry x-clerk-auth-status/reason that @clerk/backend 3.25.0 does not produce with the options clerkscope was given: the app runs with other options (keys, authorizedParties, satellite or proxy settings) or another SDK version.",
		Fix: []string{"Give clerkscope the app's real options (--config with the middleware's options, --publishable-key, --jwt-key) and compare again."}},
	{Code: CodeSignedInThroughout, Problem: false,
		Why: "Every application request in the input is signed in: nothing here signed the user out.",
		Fix: []string{"If the user still sees a problem, capture the moment it happens (a HAR with the failing request)."}},
}

// causeOf returns the catalogue entry of a code.
func causeOf(code string) cause.Entry {
	for _, c := range causes {
		if c.Code == code {
			return c
		}
	}
	return cause.Entry{Code: code, Problem: true}
}

// CauseCodes lists every code of the catalogue, in order.
func CauseCodes() []string {
	out := make([]string, len(causes))
	for i, c := range causes {
		out[i] = c.Code
	}
	return out
}
