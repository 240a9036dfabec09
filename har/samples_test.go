package har

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/clerkscope/clerkscope/inspect"
)

// TestExporterSamples opens captures shaped after each exporter's quirks:
// every valid one opens with the right entry count and the document
// request is judged signed in; every broken one gives a clear error.
func TestExporterSamples(t *testing.T) {
	pem := jwtKey(t)
	valid := map[string]int{
		"chrome.har": 3, "bom.har": 3, "jsonp.har": 3, "chrome.har.gz": 3, "firefox.har": 2, "safari.har": 1,
		"fiddler.har": 2, "charles.har": 1, "mitmproxy.har": 1, "insomnia.har": 1, "proxyman.har": 1,
		"playwright.har": 1, "firebug.har": 1,
	}
	for name, count := range valid {
		t.Run(name, func(t *testing.T) {
			setup := &inspect.Setup{Options: inspect.Options{PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", JWTKey: pem}}
			got, story, err := analyze(t, "../testdata/har-samples/"+name, setup)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(got) != count {
				t.Fatalf("%d entries, want %d", len(got), count)
			}
			j := got[0]
			if !j.Judged || j.Result.Verdict.Status != inspect.SignedIn {
				t.Fatalf("entry 0: %+v %s %s", j.Class, j.Result.Verdict.Status, j.Result.Verdict.Reason)
			}
			if j.Result.Verdict.Signature == nil || j.Result.Verdict.Signature.State != inspect.SigVerified {
				t.Errorf("signature %+v", j.Result.Verdict.Signature)
			}
			if story.Sanitized {
				t.Error("flagged as sanitized")
			}
		})
	}
	for name, want := range map[string]string{
		"invalid.har":          "invalid JSON at line 63, column 25",
		"not-a-har.json":       "not a HAR capture",
		"truncated.har":        "truncated",
		"../keys/test-key.pem": "not a HAR capture",
	} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open("../testdata/har-samples/" + name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, Options{})
			if err == nil {
				for {
					_, err = r.Next()
					if err != nil {
						break
					}
				}
			}
			if err == nil || err == io.EOF || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want %q", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
		})
	}
}

func TestReaderDetails(t *testing.T) {
	f, err := os.Open("../testdata/har-samples/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, Options{KeepBodies: true})
	if err != nil {
		t.Fatal(err)
	}
	var es []*Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	if r.Log().Creator != "WebInspector 537.36" || len(r.Log().Pages) != 1 {
		t.Errorf("log %+v", r.Log())
	}
	req := es[0].ToRequest()
	for _, h := range req.Headers {
		if strings.HasPrefix(h.Name, ":") {
			t.Errorf("pseudo-header %s kept", h.Name)
		}
	}
	body, err := es[1].Body()
	if err != nil || string(body) != `console.log("hi")` {
		t.Errorf("base64 body %q %v", body, err)
	}
	c := &Classifier{}
	for i, want := range []Class{ClassDocument, ClassAsset, ClassFAPI} {
		if got := c.Classify(es[i]); got != want {
			t.Errorf("entry %d: %s, want %s", i, got, want)
		}
	}
}
