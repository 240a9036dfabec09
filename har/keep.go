package har

import (
	"errors"
	"io"
	"net/url"
	"time"

	"github.com/clerkscope/clerkscope/inspect"
)

// Kept is a judged entry without its entry: what a viewer holds of each
// request of a capture too big to hold whole, with the entry's Span to read
// it again (ReadEntryAt). Whole makes it a Judged again. The verdict is
// the one the capture's read gave, not judged anew: out of its capture an
// entry could be judged otherwise (the servers' clocks, the instance and a
// proxy are learnt from the entries around it). The request and the
// observed response are derived from the entry again, as the read derived
// them.
type Kept struct {
	k *keptShared
}

// keptShared is what the entries judged alike share: their class and
// verdict and, when the verdict's time is not the entry's startedDateTime
// (a server's clock measured off), how far from it it is. What an entry
// alone has (the URL the SDK saw behind a proxy, a time that no shift of
// its startedDateTime gives) is in one of its own, own set.
type keptShared struct {
	class  Class
	judged bool
	// result's At (and its clock note's Sent) are each entry's own.
	result *inspect.Result
	// shift is the verdict's time from startedDateTime (hasShift).
	shift    time.Duration
	hasShift bool
	own      *keptOdd
}

// keptOdd is what an entry keeps of its own: a verdict's time other than
// its startedDateTime shifted, the URL the SDK saw behind a proxy.
type keptOdd struct {
	at     time.Time
	hasAt  bool
	sdkURL string
}

// Result is the kept entry's verdict (nil: not judged); its At is not the
// entry's.
func (k *Kept) Result() *inspect.Result {
	if k.k == nil {
		return nil
	}
	return k.k.result
}

// Keeper keeps judged entries, sharing one result between the entries
// judged alike (most requests of a big capture are). It is not safe for
// concurrent use.
type Keeper struct {
	buckets map[keepKey][]*inspect.Result
	shared  map[keptShared]*keptShared
}

// keepKey narrows the results that may be equal to a new one.
type keepKey struct {
	status                   inspect.Status
	reason, message, summary string
	steps                    int
}

// keepBucket bounds the results compared with a new one: past it a new
// result is kept on its own (nothing is wrong, only less is shared).
const keepBucket = 8

// Keep returns what j keeps, and false when j cannot be made whole from
// its entry again (a pasted request, an entry of a gzip stream).
func (kp *Keeper) Keep(j *Judged) (Kept, bool) {
	if j.Entry == nil || j.Entry.Span.Len <= 0 || j.Pasted != nil {
		return Kept{}, false
	}
	sh := keptShared{class: j.Class, judged: j.Judged}
	if j.Judged {
		var odd keptOdd
		if j.Request.URL != j.Entry.Request.URL {
			odd.sdkURL = j.Request.URL
		}
		if at, sent := j.Result.At, j.Entry.StartedDateTime; at != sent {
			if d := at.Sub(sent); sent.Add(d) == at {
				sh.shift, sh.hasShift = d, true
			} else {
				odd.at, odd.hasAt = at, true
			}
		}
		sh.result = kp.result(j.Result)
		if odd != (keptOdd{}) {
			// Its own: not shared, not in the map.
			sh.own = &odd
			p := new(keptShared)
			*p = sh
			return Kept{p}, true
		}
	}
	var k Kept
	if p := kp.shared[sh]; p != nil {
		k.k = p
	} else {
		if kp.shared == nil {
			kp.shared = map[keptShared]*keptShared{}
		}
		p := new(keptShared)
		*p = sh
		kp.shared[sh] = p
		k.k = p
	}
	return k, true
}

// result is res without its times, shared with the equal results kept
// before (equal as reflect.DeepEqual tells, sameResult).
func (kp *Keeper) result(res inspect.Result) *inspect.Result {
	res.At = time.Time{}
	if res.Clock != nil {
		c := *res.Clock
		c.Sent = time.Time{}
		res.Clock = &c
	}
	key := keepKey{status: res.Verdict.Status, reason: res.Verdict.Reason, message: res.Verdict.Message,
		summary: res.Explanation.Summary, steps: len(res.Verdict.Evidence)}
	if kp.buckets == nil {
		kp.buckets = map[keepKey][]*inspect.Result{}
	}
	b := kp.buckets[key]
	for _, r := range b {
		if sameResult(r, &res) {
			return r
		}
	}
	p := new(inspect.Result)
	*p = res
	if len(b) < keepBucket {
		kp.buckets[key] = append(b, p)
	}
	return p
}

// Whole is the judged entry k kept, with e, its entry read again.
func (k *Kept) Whole(e *Entry) *Judged {
	sh := k.k
	j := &Judged{Entry: e, Class: sh.class, Observed: observe(e)}
	if !sh.judged {
		return j
	}
	odd := sh.own
	if odd == nil {
		odd = &keptOdd{}
	}
	j.Judged = true
	j.Request = e.ToRequest()
	if odd.sdkURL != "" {
		// As behindProxy rewrote it.
		j.Request.URL = odd.sdkURL
		if u, err := url.Parse(odd.sdkURL); err == nil {
			j.Request.Set("host", u.Host)
		}
	}
	j.Result = *sh.result
	j.Result.At = e.StartedDateTime
	switch {
	case odd.hasAt:
		j.Result.At = odd.at
	case sh.hasShift:
		j.Result.At = e.StartedDateTime.Add(sh.shift)
	}
	if j.Result.Clock != nil {
		c := *j.Result.Clock
		c.Sent = e.StartedDateTime
		j.Result.Clock = &c
	}
	j.Observed.Agrees = agreement(j, nil)
	return j
}

// Entries reads entries of a capture file again, by their Span.
type Entries struct {
	ra   io.ReaderAt
	c    io.Closer
	opts Options
}

// OpenEntries opens src to read its entries again, with the options its
// capture was read with. A stream (stdin) cannot be: spool it first.
func OpenEntries(src Source, opts Options) (*Entries, error) {
	if src.once {
		return nil, errStream
	}
	rc, _, err := src.Open()
	if err != nil {
		return nil, err
	}
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		rc.Close()
		return nil, errStream
	}
	return &Entries{ra: ra, c: rc, opts: opts}, nil
}

// errStream is a source whose entries cannot be read again.
var errStream = errors.New("a stream cannot be read again")

// Entry reads entry index again from span.
func (es *Entries) Entry(span Span, index int) (*Entry, error) {
	return ReadEntryAt(es.ra, span, index, es.opts)
}

// Close closes the file.
func (es *Entries) Close() error { return es.c.Close() }
