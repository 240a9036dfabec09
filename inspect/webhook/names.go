package webhook

// Names and texts of @clerk/backend 3.25.0's verifyWebhook and the
// standardwebhooks package it calls, spelled as the SDK spells them.

// The headers Clerk sends (Svix's names) and the Standard Webhooks names the
// SDK copies them to. verifyWebhook reads only the svix-* ones.
const (
	HeaderSvixID        = "svix-id"
	HeaderSvixTimestamp = "svix-timestamp"
	HeaderSvixSignature = "svix-signature"

	HeaderStdID        = "webhook-id"
	HeaderStdTimestamp = "webhook-timestamp"
	HeaderStdSignature = "webhook-signature"
)

// EnvSigningSecret is where verifyWebhook reads the secret when none is
// passed.
const EnvSigningSecret = "CLERK_WEBHOOK_SIGNING_SECRET"

// secretPrefix is stripped from the secret before base64 decoding.
const secretPrefix = "whsec_"

// toleranceSeconds is standardwebhooks' WEBHOOK_TOLERANCE_IN_SECONDS.
const toleranceSeconds = 5 * 60

// sdkPrefix is what the SDK's errorThrower puts before its own messages.
const sdkPrefix = "@clerk/backend: "

// The SDK's error texts (sdkPrefix is added to the first four; the
// Webhook constructor's errors come through bare).
const (
	msgMissingSecret   = "Missing webhook signing secret. Set the CLERK_WEBHOOK_SIGNING_SECRET environment variable with the webhook secret from the Clerk Dashboard."
	msgMissingHeaders  = "Missing required webhook headers: "
	msgUnableToVerify  = "Unable to verify incoming webhook: "
	msgInvalidHeaders  = "Invalid Signature Headers"
	msgTooOld          = "Message timestamp too old"
	msgTooNew          = "Message timestamp too new"
	msgNoMatch         = "No matching signature found"
	msgEmptySecret     = "Secret can't be empty."
	msgReadTypeOfUndef = "Cannot read properties of undefined (reading 'type')"
	msgReadTypeOfNull  = "Cannot read properties of null (reading 'type')"
)

// Failure names the check a delivery failed (stable, for JSON and tests).
type Failure string

// Failures, in the order verifyWebhook checks.
const (
	FailNone          Failure = ""
	FailNoSecret      Failure = "missing-secret"
	FailHeaders       Failure = "missing-headers"
	FailSecret        Failure = "bad-secret"
	FailTimestamp     Failure = "invalid-timestamp"
	FailTooOld        Failure = "timestamp-too-old"
	FailTooNew        Failure = "timestamp-too-new"
	FailSignature     Failure = "no-matching-signature"
	FailNotJSON       Failure = "body-not-json"
	FailNotAnObject   Failure = "body-not-an-event"
	FailHandlerStatus Failure = "handler-failed"
)

// EventTypes are the 45 event types of @clerk/backend 3.25.0's
// WebhookEvent union (api/resources/Webhooks.d.ts), by group.
var EventTypes = map[string][]string{
	"user":                   {"user.created", "user.updated", "user.deleted"},
	"email":                  {"email.created"},
	"sms":                    {"sms.created"},
	"session":                {"session.created", "session.ended", "session.removed", "session.revoked"},
	"organization":           {"organization.created", "organization.updated", "organization.deleted"},
	"organizationDomain":     {"organizationDomain.created", "organizationDomain.updated", "organizationDomain.deleted"},
	"organizationMembership": {"organizationMembership.created", "organizationMembership.deleted", "organizationMembership.updated"},
	"organizationInvitation": {"organizationInvitation.created", "organizationInvitation.revoked", "organizationInvitation.accepted"},
	"role":                   {"role.created", "role.updated", "role.deleted"},
	"permission":             {"permission.created", "permission.updated", "permission.deleted"},
	"waitlistEntry":          {"waitlistEntry.created", "waitlistEntry.updated"},
	"paymentAttempt":         {"paymentAttempt.created", "paymentAttempt.updated"},
	"subscription":           {"subscription.created", "subscription.updated", "subscription.active", "subscription.pastDue"},
	"subscriptionItem": {"subscriptionItem.created", "subscriptionItem.updated", "subscriptionItem.active", "subscriptionItem.canceled",
		"subscriptionItem.upcoming", "subscriptionItem.ended", "subscriptionItem.abandoned", "subscriptionItem.incomplete",
		"subscriptionItem.pastDue", "subscriptionItem.freeTrialEnding"},
}

// billingGroups are the groups of Clerk Billing events.
var billingGroups = map[string]bool{"paymentAttempt": true, "subscription": true, "subscriptionItem": true}

// retrySchedule is Svix's delay before each retry, after the first attempt
// (sent immediately): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
var retrySchedule = []int64{5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600}

// successWithinSeconds is how long Svix waits for a 2xx.
const successWithinSeconds = 15

// Docs pages the fixes point to.
const (
	docsSyncing   = "https://clerk.com/docs/webhooks/sync-data"
	docsVerify    = "https://clerk.com/docs/reference/backend/verify-webhook"
	docsDebugging = "https://clerk.com/docs/webhooks/debug-your-webhooks"
	docsOverview  = "https://clerk.com/docs/webhooks/overview"
)
