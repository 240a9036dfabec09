package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/clerkscope/clerkscope/har"
)

// tlKind is what a timeline item shows.
type tlKind int

const (
	tlDiagnosis tlKind = iota
	tlFinding
	tlEvent
)

func (k tlKind) String() string { return [...]string{"diagnosis", "finding", "event"}[k] }

// heading is the title of the kind's section.
func (k tlKind) heading() string { return [...]string{"Diagnosis", "Findings", "Events"}[k] }

// tlItem is one selectable item of the Timeline tab: a diagnosis, a finding
// or an event, with the entries enter can jump to.
type tlItem struct {
	kind    tlKind
	diag    *har.Diagnosis
	finding *har.Finding
	text    string // an event's line
	entries []int  // none for a pasted request: it has no capture entries
}

// timelineItems lists the diagnoses (problems first, as har ranks them),
// then the story's findings, then the token, client and handshake events
// in capture order.
func timelineItems(s *har.Story, diags []har.Diagnosis) []tlItem {
	var items []tlItem
	for i := range diags {
		it := tlItem{kind: tlDiagnosis, diag: &diags[i]}
		if s != nil {
			it.entries = diags[i].Entries
		}
		items = append(items, it)
	}
	if s == nil {
		return items
	}
	for i := range s.Findings {
		f := &s.Findings[i]
		items = append(items, tlItem{kind: tlFinding, finding: f, entries: f.Entries})
	}
	type ev struct {
		entry int
		text  string
	}
	var evs []ev
	for _, t := range s.Tokens {
		org := ""
		if t.Org != "" {
			org = ", org " + t.Org
		}
		evs = append(evs, ev{t.Entry, fmt.Sprintf("new session token (%s via %s): sid %s, expires %s%s", t.Cookie, t.Source, t.SID, time.Unix(t.EXP, 0).UTC().Format("15:04:05"), org)})
	}
	for _, u := range s.ClientUAT {
		evs = append(evs, ev{u.Entry, fmt.Sprintf("__client_uat = %s (%s)", u.Value, u.Source)})
	}
	for _, h := range s.Handshakes {
		evs = append(evs, ev{h.Redirect, fmt.Sprintf("handshake (%s) → %s", h.Reason, h.Outcome)})
	}
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].entry < evs[b].entry })
	for _, e := range evs {
		items = append(items, tlItem{kind: tlEvent, text: e.text, entries: []int{e.entry}})
	}
	return items
}

// tlSpan is where an item sits in the rendered timeline: its first line
// and the line after its last.
type tlSpan struct{ start, end int }

// timelineTab is the Timeline tab: the capture's diagnoses, findings and
// events, the same whichever request is selected, with one item chosen
// (j/k) whose requests enter goes to.
type timelineTab struct {
	pager
	story   *har.Story
	items   []tlItem
	cursor  int
	loading bool
	// spans are where the items sit in the page laid out.
	spans []tlSpan
}

func newTimelineTab(c *common) *timelineTab {
	return &timelineTab{pager: newPager(c, false, nil), loading: true}
}

// setStory gives the tab the capture's story and diagnoses, once it is
// read, and chooses the lead diagnosis.
func (t *timelineTab) setStory(story *har.Story, diags []har.Diagnosis) {
	t.story, t.loading = story, false
	t.items = timelineItems(story, diags)
	t.cursor = max(0, leadDiagnosis(diags))
	t.relayout()
}

// Show implements detailTab: the page is the capture's, whichever row is
// selected; another width or display setting starts it at its top.
func (t *timelineTab) Show(_ *row, top bool) {
	key := t.layoutKey(nil)
	if key == t.shown && !top && !t.stale {
		return
	}
	top = top || key != t.shown
	t.shown, t.stale = key, false
	t.c.folded = 0
	content, spans := t.lay(t.cursor, t.vp.Width())
	t.spans = spans
	t.setPage(t.c.foldNote(content, false, t.vp.Width()), top)
}

// page implements detailTab.
func (t *timelineTab) page(_ *row, w int) string {
	s, _ := t.lay(t.cursor, w)
	return s
}

// Update implements detailTab: j/k and the page keys choose items, g and
// G the first and the last.
func (t *timelineTab) Update(msg tea.Msg) tea.Cmd {
	k := t.c.keys
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Up):
			t.step(-1)
		case key.Matches(msg, k.Down):
			t.step(1)
		case key.Matches(msg, k.PageUp):
			t.step(-t.vp.Height())
		case key.Matches(msg, k.PageDown):
			t.step(t.vp.Height())
		case key.Matches(msg, k.Top):
			t.vp.GotoTop()
			t.cursor = 0
			t.redraw()
		case key.Matches(msg, k.Bottom):
			t.vp.GotoBottom()
			t.cursor = max(0, len(t.items)-1)
			t.redraw()
		}
		return nil
	}
	return t.scroll(msg)
}

// ShortHelp implements help.KeyMap: the scroll keys and enter.
func (t *timelineTab) ShortHelp() []key.Binding {
	return append(t.pager.ShortHelp(), enabled(t.c.keys.Open)...)
}

// FullHelp implements help.KeyMap.
func (t *timelineTab) FullHelp() [][]key.Binding { return [][]key.Binding{t.ShortHelp()} }

// setEnabled implements detailTab: enter goes to the chosen item's
// request, when it names one.
func (t *timelineTab) setEnabled(k *keyMap) {
	t.pager.setEnabled(k)
	k.Open.SetHelp("enter", "go to request")
	it := t.chosen()
	k.Open.SetEnabled(it != nil && len(it.entries) > 0)
}

// lay renders the diagnoses, findings and events with item cursor chosen,
// and returns where each item sits so that the chosen one can be kept in
// view.
func (t *timelineTab) lay(cursor, w int) (string, []tlSpan) {
	c, story, items, loading := t.c, t.story, t.items, t.loading
	st := c.styles
	if story == nil && loading {
		return st.Muted.Render("The story is told once the whole capture is read…"), nil
	}
	var lines []string
	add := func(s string) { lines = append(lines, strings.Split(s, "\n")...) }
	if story != nil {
		k := story.Counts
		line := fmt.Sprintf("%d entries: %d to the app (%d signed in, %d signed out, %d handshakes), %d to the Frontend API.", k.Entries, k.App, k.SignedIn, k.SignedOut, k.Handshake, k.FAPI)
		if k.Webhooks > 0 {
			line += fmt.Sprintf(" %d of the app's are webhook deliveries (the Webhook tab).", k.Webhooks)
		}
		add(wrap(line, w))
		add(st.Muted.Render(wrap(c.keys.Down.Keys()[0]+"/"+c.keys.Up.Keys()[0]+" choose · "+c.keys.Open.Help().Key+" goes to the item's first request", w)))
		add("")
	}
	section := tlKind(-1)
	if len(items) == 0 || items[0].kind != tlDiagnosis {
		add(st.Title.Render(tlDiagnosis.heading()))
		add(st.Muted.Render(wrap("clerkscope names no cause here: the Verdict tab shows what the SDK decided and why.", w)))
		section = tlDiagnosis
	}
	spans := make([]tlSpan, len(items))
	for i, it := range items {
		if it.kind != section {
			if section >= 0 {
				add("")
			}
			section = it.kind
			add(st.Title.Render(it.kind.heading()))
		} else if it.kind != tlEvent {
			add("")
		}
		spans[i].start = len(lines)
		mark := "  "
		if i == cursor {
			mark = st.Cursor.Render("▶ ")
		}
		switch it.kind {
		case tlDiagnosis:
			add(c.diagnosisItem(it, mark, w))
		case tlFinding:
			add(c.findingItem(it, mark, w))
		default:
			label := st.Muted.Render(fmt.Sprintf("[%3d] ", it.entries[0]))
			add(hang(mark+label, wrap(c.text(it.text), w-8), "        "))
		}
		spans[i].end = len(lines)
	}
	if story == nil {
		add("")
		add(st.Muted.Render(wrap("A single request has no timeline: open a HAR capture to follow a session.", w)))
	}
	return strings.Join(lines, "\n"), spans
}

// diagnosisItem is a diagnosis in full: badge, confidence, title and code,
// then why, evidence, fix, docs and entries.
func (c *common) diagnosisItem(it tlItem, mark string, w int) string {
	st := c.styles
	d := it.diag
	badge := st.OK.Render(diagnosisBadge(*d))
	if d.Problem {
		badge = st.Err.Render(diagnosisBadge(*d))
	}
	head := badge + " " + st.Key.Render("("+d.Confidence+")") + " " + st.Heading.Render(c.text(d.Title)) + " " + st.Muted.Render("["+d.Code+"]")
	var b strings.Builder
	b.WriteString(hang(mark, wrap(head, w-2), "  "))
	c.labelled(&b, "Why", []string{d.Why}, w)
	c.labelled(&b, "Seen", d.Evidence, w)
	c.labelled(&b, "Fix", d.Fix, w)
	if d.Docs != "" {
		c.labelled(&b, "Docs", []string{d.Docs}, w)
	}
	c.entriesLine(&b, it.entries, w)
	return b.String()
}

// findingItem is a finding with its detail, what to check next and its
// entries.
func (c *common) findingItem(it tlItem, mark string, w int) string {
	st := c.styles
	f := it.finding
	var label string
	switch f.Severity {
	case har.SevError:
		label = st.Err.Render("ERROR ")
	case har.SevWarning:
		label = st.Warn.Render("WARN  ")
	default:
		label = st.OK.Render("INFO  ")
	}
	var b strings.Builder
	b.WriteString(hang(mark+label, st.Heading.Render(wrap(c.text(f.Title), w-8)), "        "))
	if f.Detail != "" {
		b.WriteString("\n" + indent(wrap(c.text(f.Detail), w-4), "    "))
	}
	if f.Next != "" {
		c.labelled(&b, "Next", []string{f.Next}, w)
	}
	c.entriesLine(&b, it.entries, w)
	return b.String()
}

// entriesLine names the capture entries an item points at.
func (c *common) entriesLine(b *strings.Builder, entries []int, w int) {
	switch len(entries) {
	case 0:
	case 1:
		c.labelled(b, "Entry", []string{joinInts(entries)}, w)
	default:
		c.labelled(b, "Entries", []string{joinInts(entries)}, w)
	}
}

// labelled writes "Label: text" indented under an item; several texts
// become bullets under the label.
func (c *common) labelled(b *strings.Builder, label string, texts []string, w int) {
	if len(texts) == 0 {
		return
	}
	key := c.styles.Key.Render(label + ":")
	if len(texts) == 1 {
		b.WriteString("\n" + indent(wrap(key+" "+c.text(texts[0]), w-4), "    "))
		return
	}
	b.WriteString("\n    " + key)
	for _, t := range texts {
		b.WriteString("\n" + indent(bullet(c.text(t), w-4), "    "))
	}
}

// hang puts first before the first line of s and pad before the others.
func hang(first, s, pad string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

func joinInts(a []int) string {
	parts := make([]string, len(a))
	for i, n := range a {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

// chosen is the Timeline item under the cursor, if any.
func (t *timelineTab) chosen() *tlItem {
	if t.cursor < 0 || t.cursor >= len(t.items) {
		return nil
	}
	return &t.items[t.cursor]
}

// step moves through the Timeline: j/k read on through an item
// taller than the pane, then choose the next or previous one; a page
// scrolls and chooses the item at the top.
func (t *timelineTab) step(n int) {
	if len(t.items) == 0 || len(t.spans) != len(t.items) {
		if n < 0 {
			t.vp.ScrollUp(-n)
		} else {
			t.vp.ScrollDown(n)
		}
		return
	}
	top := t.vp.YOffset()
	bottom := top + t.vp.Height()
	sp := t.spans[t.cursor]
	visible := sp.end > top && sp.start < bottom
	switch {
	case n == 1 && visible && sp.end > bottom:
		t.vp.ScrollDown(1)
	case n == -1 && visible && sp.start < top:
		t.vp.ScrollUp(1)
	case n == 1 || n == -1:
		t.cursor = max(0, min(len(t.items)-1, t.cursor+n))
		t.redraw()
		t.reveal()
	default:
		if n < 0 {
			t.vp.ScrollUp(-n)
		} else {
			t.vp.ScrollDown(n)
		}
		y := t.vp.YOffset()
		t.cursor = len(t.items) - 1
		for i, sp := range t.spans {
			if sp.end > y {
				t.cursor = i
				break
			}
		}
		t.redraw()
	}
}

// redraw lays the page out again at once, where it is scrolled to, with
// the cursor moved (its spans say where the items are now).
func (t *timelineTab) redraw() {
	t.relayout()
	t.Show(nil, false)
}

// reveal scrolls the Timeline so that the chosen item is in view:
// all of it when it fits, else its first lines.
func (t *timelineTab) reveal() {
	if t.cursor >= len(t.spans) {
		return
	}
	sp := t.spans[t.cursor]
	h := t.vp.Height()
	y := t.vp.YOffset()
	switch {
	case t.cursor == 0 && sp.start < h:
		// the first item: keep the counts and the heading above it
		y = 0
	case sp.start < y || sp.end-sp.start > h:
		y = sp.start
	case sp.end > y+h:
		y = sp.end - h
	}
	t.vp.SetYOffset(y)
}
