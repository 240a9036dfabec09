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
