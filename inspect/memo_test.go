package inspect

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestMemoBounded fills a memo with many more values than it holds: it
// never keeps more than two generations, and the values last put are
// still found.
func TestMemoBounded(t *testing.T) {
	m := newMemo[string, int](64)
	for i := range 10_000 {
		m.put(fmt.Sprint(i), i)
		if n := m.len(); n > 128 {
			t.Fatalf("after %d puts the memo holds %d entries, more than 2 × 64", i+1, n)
		}
	}
	for i := 10_000 - 64; i < 10_000; i++ {
		if v, ok := m.get(fmt.Sprint(i)); !ok || v != i {
			t.Fatalf("recent value %d: got %d, %v", i, v, ok)
		}
	}
	if _, ok := m.get("0"); ok {
		t.Fatal("the first value is still held")
	}
}

// TestMemoKeepsWhatIsUsed: a value read while others flood in moves back
// to the current generation and survives.
func TestMemoKeepsWhatIsUsed(t *testing.T) {
	m := newMemo[string, int](8)
	m.put("hot", 1)
	for i := range 1000 {
		m.put(fmt.Sprint(i), i)
		if _, ok := m.get("hot"); !ok {
			t.Fatalf("the value in use was dropped after %d other puts", i+1)
		}
	}
}

// verdictText is what a verdict shows, for comparing two of them.
func verdictText(t testing.TB, c authCase) string {
	v := judgeCase(t, c)
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s\n%+v", b, Explain(v, time.UnixMilli(c.Now)))
}

// TestMemosChangeNoVerdict judges every case with nothing memoised, then
// again with everything its first run left in the memos, then again
// while the other cases fill them: the verdicts are the same each time
// (nothing shared is changed by a verdict that uses it).
func TestMemosChangeNoVerdict(t *testing.T) {
	cases := append(loadCases(t, "../testdata/auth-cases"), loadCases(t, "../testdata/oracle-cases")...)
	cold := make([]string, len(cases))
	func() {
		defer useMemos(1)()
		for i, c := range cases {
			cold[i] = verdictText(t, c)
		}
	}()
	defer useMemos(tokenMemoSize)()
	for round := range 2 {
		for i, c := range cases {
			if got := verdictText(t, c); got != cold[i] {
				t.Fatalf("%s (round %d): the verdict with memos differs from the one without\nwith:    %s\nwithout: %s", c.Name, round, got, cold[i])
			}
		}
	}
}

// TestMemosKeepNoClock judges every case at other clocks (before its
// token was issued, a minute and a half later, a week later), first with
// nothing memoised, then with the memos the other clocks' verdicts filled:
// what is kept from one request (the cookie set, the texts of its steps,
// the auth object) never carries one request's time into another's
// verdict.
func TestMemosKeepNoClock(t *testing.T) {
	cases := append(loadCases(t, "../testdata/auth-cases"), loadCases(t, "../testdata/oracle-cases")...)
	shifts := []time.Duration{-time.Hour, 0, 90 * time.Second, 8 * 24 * time.Hour}
	at := func(c authCase, d time.Duration) authCase {
		c.Now += d.Milliseconds()
		return c
	}
	cold := make([][]string, len(cases))
	func() {
		defer useMemos(1)()
		for i, c := range cases {
			for _, d := range shifts {
				cold[i] = append(cold[i], verdictText(t, at(c, d)))
			}
		}
	}()
	defer useMemos(tokenMemoSize)()
	for i, c := range cases {
		for k := range shifts {
			// The clocks in another order: each verdict follows one made
			// at a different time.
			k = (k + 2) % len(shifts)
			if got := verdictText(t, at(c, shifts[k])); got != cold[i][k] {
				t.Fatalf("%s at %+v: the verdict after other clocks differs from the one judged alone\nafter:  %s\nalone:  %s", c.Name, shifts[k], got, cold[i][k])
			}
		}
	}
}

// TestMemosConcurrent judges every case on several goroutines at once, as
// the dashboard may: the race detector watches the memos, and every
// verdict is the one judged alone.
func TestMemosConcurrent(t *testing.T) {
	cases := append(loadCases(t, "../testdata/auth-cases"), loadCases(t, "../testdata/oracle-cases")...)
	defer useMemos(16)()
	want := make([]string, len(cases))
	for i, c := range cases {
		want[i] = verdictText(t, c)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range cases {
				i := (k + g*len(cases)/4) % len(cases)
				if got := verdictText(t, cases[i]); got != want[i] {
					errs <- cases[i].Name
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for name := range errs {
		t.Errorf("%s: judged concurrently, the verdict differs", name)
	}
}
