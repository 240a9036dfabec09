package webhook

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/clerkscope/clerkscope/cause"
)

// Judged is one delivery with its verdict, cause and event.
type Judged struct {
	// Position is the delivery's place in the input (from 0).
	Position  int
	Delivery  *Delivery
	Verdict   *Verification
	Event     *Event
	Diagnoses []Diagnosis
	// Records are the Backend API's records of the event's ids (Lookup).
	Records []Record
	// App is the app's instance the event was compared with
	// (Report.CompareInstance), nil when unknown.
	App *App
	// base are the diagnoses of the delivery alone, before the instance
	// comparison.
	base []Diagnosis
}

// Succeeded reports whether Svix would count the attempt a success: a 2xx
// within 15 seconds. Unknown (no response captured) is not a success.
func (j *Judged) Succeeded() (ok, known bool) {
	r := j.Delivery.Response
	if r == nil {
		return false, false
	}
	if j.Delivery.Duration > successWithinSeconds*time.Second {
		return false, true
	}
	return r.Status >= 200 && r.Status < 300, true
}

// When is when the attempt was sent: the capture's time, else the
// svix-timestamp (Svix signs each attempt as it sends it).
func (j *Judged) When() time.Time {
	if !j.Delivery.Received.IsZero() {
		return j.Delivery.Received
	}
	if j.Verdict.TimestampRead {
		return time.Unix(j.Verdict.Timestamp, 0).UTC()
	}
	return time.Time{}
}

// Judge verifies, names and diagnoses one delivery. now is the server
// clock when the input does not say when the delivery arrived; at, when
// not zero, wins over both (--now).
func Judge(pos int, d *Delivery, secret string, at, now time.Time) *Judged {
	if secret == "" {
		secret = d.Secret
	}
	clock := at
	if clock.IsZero() {
		clock = d.Received
	}
	if clock.IsZero() {
		clock = now
	}
	v := Verify(d, secret, clock)
	ev := ParseEvent(v.Payload)
	if v.Payload == nil {
		// Name the event even when the signature failed: the body as the
		// SDK reads it, if it is JSON.
		ev = ParseEvent(parseLoose(v.Body.Text))
	}
	dg := Diagnose(d, v, secret)
	for i := range dg {
		dg[i].Deliveries = []int{pos}
	}
	return &Judged{Position: pos, Delivery: d, Verdict: v, Event: ev, Diagnoses: dg, base: dg}
}

// Attempt is one attempt of a message, as the story tells it.
type Attempt struct {
	Position int       `json:"position"`
	Entry    int       `json:"entry"`
	At       time.Time `json:"at,omitzero"`
	Status   int       `json:"status,omitempty"`
	Verdict  State     `json:"verdict"`
	// Number is the attempt in Svix's schedule that the time since the
	// first one fits (1 = the first), 0 when none fits (a manual resend).
	Number int `json:"number"`
	// Since is the time from the previous attempt's answer to this one.
	Since        time.Duration `json:"-"`
	SinceSeconds float64       `json:"sinceSeconds,omitempty"`
	Success      bool          `json:"success"`
	// DurationMs is how long the handler took, when captured.
	DurationMs float64 `json:"durationMs,omitempty"`
}

// Answer says what the handler answered the attempt, as every output
// shows it: the status ("no answer captured" when the input has none),
// and when it took longer than Svix waits, that it counted as a failure.
func (a Attempt) Answer() string {
	s := "no answer captured"
	if a.Status != 0 {
		s = strconv.Itoa(a.Status)
	}
	if a.DurationMs > successWithinSeconds*1000 {
		s += fmt.Sprintf(" after %.1f s (past Svix's %d s: a failure)", a.DurationMs/1000, successWithinSeconds)
	}
	return s
}

// Schedule places the attempt on Svix's retry schedule: "Svix attempt 3",
// or "off Svix's schedule" (a manual resend, or attempts missing from the
// capture).
func (a Attempt) Schedule() string {
	if a.Number > 0 {
		return fmt.Sprintf("Svix attempt %d", a.Number)
	}
	return "off Svix's schedule"
}

// Message is every attempt of one svix-id.
type Message struct {
	ID       string    `json:"id"`
	Type     string    `json:"type,omitempty"`
	DataID   string    `json:"dataId,omitempty"`
	Attempts []Attempt `json:"attempts"`
	// Outcome sums the attempts up.
	Outcome string `json:"outcome"`
}

// Story is what the deliveries of one input say together.
type Story struct {
	Messages  []*Message  `json:"messages"`
	Diagnoses []Diagnosis `json:"diagnoses"`
}

// nextAttempt is the number, in Svix's schedule, of an attempt sent wait
// after the previous one (numbered prev) had been answered: the first
// later attempt whose scheduled delay since prev fits within 20% plus 3
// seconds of jitter (a capture may miss attempts), 0 when none does.
func nextAttempt(prev int, wait time.Duration) int {
	var sum time.Duration
	for n := prev + 1; n <= len(retrySchedule)+1; n++ {
		sum += time.Duration(retrySchedule[n-2]) * time.Second
		slack := sum/5 + 3*time.Second
		if wait >= sum-slack && wait <= sum+slack {
			return n
		}
		if wait < sum-slack {
			return 0
		}
	}
	return 0
}

// Group follows the deliveries across an input: attempts of one message
// (by svix-id) against Svix's retry schedule, a failure on a repeat, a
// handler that deduplicates on data.id, events of two instances.
func Group(js []*Judged) *Story {
	st := &Story{Messages: []*Message{}, Diagnoses: []Diagnosis{}}
	byID := map[string]*Message{}
	members := map[string][]*Judged{}
	for _, j := range js {
		id := j.Delivery.ID()
		if id == "" {
			continue
		}
		m := byID[id]
		if m == nil {
			m = &Message{ID: id, Type: j.Event.Type, DataID: j.Event.DataID}
			byID[id] = m
			st.Messages = append(st.Messages, m)
		}
		members[id] = append(members[id], j)
	}
	for _, m := range st.Messages {
		ms := members[m.ID]
		sort.SliceStable(ms, func(a, b int) bool { return ms[a].When().Before(ms[b].When()) })
		var prevEnd time.Time
		prevNumber := 0
		for i, j := range ms {
			ok, _ := j.Succeeded()
			a := Attempt{Position: j.Position, Entry: j.Delivery.Index, At: j.When(), Verdict: j.Verdict.State, Success: ok}
			if r := j.Delivery.Response; r != nil {
				a.Status = r.Status
			}
			a.DurationMs = float64(j.Delivery.Duration) / float64(time.Millisecond)
			switch {
			case i == 0:
				a.Number = 1
			case !prevEnd.IsZero() && !a.At.IsZero() && prevNumber > 0:
				a.Since = a.At.Sub(prevEnd)
				a.Number = nextAttempt(prevNumber, a.Since)
				a.SinceSeconds = a.Since.Seconds()
			}
			prevNumber = a.Number
			prevEnd = time.Time{}
			if !a.At.IsZero() {
				prevEnd = a.At.Add(j.Delivery.Duration)
			}
			m.Attempts = append(m.Attempts, a)
		}
		m.Outcome = outcome(m)
		st.Diagnoses = append(st.Diagnoses, messageDiagnoses(m, ms)...)
	}
	st.Diagnoses = append(st.Diagnoses, dataIDDiagnoses(st.Messages, members)...)
	st.Diagnoses = append(st.Diagnoses, instanceDiagnoses(js)...)
	return st
}

func outcome(m *Message) string {
	n := len(m.Attempts)
	var okAt []int
	known := false
	for i, a := range m.Attempts {
		if a.Status != 0 {
			known = true
		}
		if a.Success {
			okAt = append(okAt, i+1)
		}
	}
	switch {
	case !known:
		return fmt.Sprintf("%d attempt(s), the handler's answers not captured", n)
	case len(okAt) == 0:
		return fmt.Sprintf("failing: %d attempt(s), none answered 2xx", n)
	case len(okAt) == 1 && okAt[0] == n && n == 1:
		return "succeeded on the first attempt"
	case len(okAt) == 1 && okAt[0] == n:
		return fmt.Sprintf("succeeded on attempt %d of %d", n, n)
	}
	return fmt.Sprintf("answered 2xx on attempt(s) %v of %d", okAt, n)
}

func statusList(m *Message) string {
	var parts []string
	for i, a := range m.Attempts {
		s := "?"
		if a.Status != 0 {
			s = fmt.Sprint(a.Status)
		}
		n := ""
		if a.Number > 0 && a.Number != i+1 {
			n = fmt.Sprintf(" (Svix attempt %d)", a.Number)
		}
		parts = append(parts, fmt.Sprintf("#%d %s%s", i+1, s, n))
	}
	return strings.Join(parts, ", ")
}

func messageDiagnoses(m *Message, ms []*Judged) []Diagnosis {
	var out []Diagnosis
	pos := func() []int {
		var p []int
		for _, j := range ms {
			p = append(p, j.Position)
		}
		return p
	}
	if len(ms) > 1 {
		succeededBefore := false
		for i, j := range ms {
			ok, _ := j.Succeeded()
			r := j.Delivery.Response
			if i > 0 && r != nil && r.Status >= 500 && j.Verdict.State != Invalid {
				prevReached := succeededBefore
				for _, p := range ms[:i] {
					if p.Delivery.Response != nil && p.Delivery.Response.Status < 500 {
						prevReached = true
					}
				}
				if markerDuplicate.MatchString(r.Body) || prevReached {
					conf := cause.Likely
					if markerDuplicate.MatchString(r.Body) {
						conf = cause.Certain
					}
					dg := newDiag(CodeDuplicateInsert, conf, "a repeat delivery of "+m.ID+" failed in the handler",
						fmt.Sprintf("Attempt %d of the same message (svix-id %s) got %d", i+1, m.ID, r.Status)+
							quoteBody(r.Body)+". The handler processed the message before and fails on it again instead of recognising it: webhooks can be delivered more than once (a retry after a slow or lost answer, a resend from the Dashboard).",
						idempotencyFix, docsSyncing, "attempts: "+statusList(m))
					dg.Deliveries = pos()
					out = append(out, dg)
					break
				}
			}
			if ok {
				succeededBefore = true
			}
		}
		failed := 0
		for _, a := range m.Attempts {
			if !a.Success && a.Status != 0 {
				failed++
			}
		}
		why := fmt.Sprintf("Svix sent message %s %d times (%s). It retries a failed attempt after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; a 2xx within 15 s ends it, a 3xx counts as a failure.", m.ID, len(ms), statusList(m))
		if off := offSchedule(m); off != "" {
			why += " " + off
		}
		dg := newDiag(CodeRetried, cause.Certain, fmt.Sprintf("%s: %d attempts, %s", m.ID, len(ms), m.Outcome), why,
			[]string{"Each failed attempt's own cause is listed with it; fix that one and the retries stop."}, docsDebugging, "attempts: "+statusList(m))
		dg.Problem = failed > 0
		dg.Deliveries = pos()
		out = append(out, dg)
	}
	return out
}

func quoteBody(b string) string {
	b = strings.TrimSpace(b)
	if b == "" {
		return ""
	}
	return " (" + clip(b, 120) + ")"
}

// offSchedule says which attempts do not fit Svix's schedule.
func offSchedule(m *Message) string {
	var off []string
	for i, a := range m.Attempts {
		if i > 0 && a.Number == 0 && a.Since != 0 {
			off = append(off, fmt.Sprintf("#%d came %s after the previous answer", i+1, a.Since.Round(time.Second)))
		}
	}
	if len(off) == 0 {
		return ""
	}
	return "Not on Svix's schedule (a resend from the Dashboard, or attempts missing from the capture): " + strings.Join(off, "; ") + "."
}

// dataIDDiagnoses flags several messages about one object where a later
// one was answered as already seen: a handler deduplicating on data.id.
func dataIDDiagnoses(msgs []*Message, members map[string][]*Judged) []Diagnosis {
	byData := map[string][]*Message{}
	var order []string
	for _, m := range msgs {
		if m.DataID == "" {
			continue
		}
		if byData[m.DataID] == nil {
			order = append(order, m.DataID)
		}
		byData[m.DataID] = append(byData[m.DataID], m)
	}
	var out []Diagnosis
	for _, id := range order {
		ms := byData[id]
		if len(ms) < 2 {
			continue
		}
		var pos []int
		var skipped []string
		var types []string
		for i, m := range ms {
			types = append(types, m.Type+" ("+m.ID+")")
			for _, j := range members[m.ID] {
				pos = append(pos, j.Position)
				if r := j.Delivery.Response; i > 0 && r != nil && (r.Status == 409 || r.Status < 300 && markerSkipped.MatchString(r.Body)) {
					skipped = append(skipped, fmt.Sprintf("%s answered %d%s", m.ID, r.Status, quoteBody(r.Body)))
				}
			}
		}
		if len(skipped) == 0 {
			continue
		}
		dg := newDiag(CodeDedupeOnDataID, cause.Likely, "the handler deduplicates on data.id and drops later events about "+id,
			fmt.Sprintf("%d different messages are about %s: %s. A later one was answered as already seen (%s), though its svix-id is new: the handler keys its deduplication on the object's id, so an update after a create is thrown away.", len(ms), id, strings.Join(types, ", "), strings.Join(skipped, "; ")),
			[]string{"Deduplicate on svix-id (one message, several attempts), never on data.id (one object, many events).", "Apply each event in order of its payload timestamp; keep the newest state per object."}, docsSyncing)
		dg.Deliveries = pos
		out = append(out, dg)
	}
	return out
}

func instanceDiagnoses(js []*Judged) []Diagnosis {
	seen := map[string][]int{}
	var order []string
	for _, j := range js {
		if id := j.Event.InstanceID; id != "" {
			if seen[id] == nil {
				order = append(order, id)
			}
			seen[id] = append(seen[id], j.Position)
		}
	}
	if len(order) < 2 {
		return nil
	}
	var pos []int
	for _, id := range order {
		pos = append(pos, seen[id]...)
	}
	dg := newDiag(CodeInstancesMixed, cause.Likely, "deliveries from two Clerk instances reach one route",
		"The events name instances "+strings.Join(order, " and ")+": the development and production instances both send to this endpoint, each signing with its own endpoint's secret, so one of them always fails verification.",
		[]string{"Give each instance its own endpoint, or verify with the secret that matches the event's instance."}, docsVerify)
	dg.Deliveries = pos
	return []Diagnosis{dg}
}
