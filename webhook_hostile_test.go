package main

import (
	"strings"
	"testing"
)

// TestWebhookOutputIsSafe: a delivery's body and headers cannot drive the
// terminal through clerkscope webhook's text or JSON.
func TestWebhookOutputIsSafe(t *testing.T) {
	delivery := "POST /api/webhooks HTTP/1.1\r\nHost: example.com\r\nsvix-id: msg_\x1b]52;c;ZWNobyBwd25lZA==\x07\r\nsvix-timestamp: 1795503925\r\nsvix-signature: v1,AAAA\r\nContent-Type: application/json\r\n\r\n" +
		`{"type":"user.created\u001b[2J","data":{"id":"user_\u009b31m"},"object":"event"}`
	for _, args := range [][]string{{"webhook", "-"}, {"webhook", "--json", "-"}} {
		_, stdout, stderr := runCLI(t, delivery, args...)
		for _, out := range []string{stdout, stderr} {
			if strings.ContainsAny(out, "\x1b\x07\u009b") {
				t.Errorf("%v: raw control bytes in the output: %q", args, out)
			}
		}
	}
}
