package har

import (
	"fmt"
	"strconv"
	"strings"
)

// Size is a byte count as a flag takes it: 4194304, 512KiB, 64MiB, 2GiB
// (K, M, G, KB, MB and GB are read as binary multiples too).
type Size int64

// String is the size as FormatSize writes it (empty for 0, the default).
func (s *Size) String() string {
	if s == nil || *s == 0 {
		return ""
	}
	return FormatSize(int64(*s))
}

// Set parses a size.
func (s *Size) Set(v string) error {
	t := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 1 || n*float64(mult) > 1<<40 {
		return fmt.Errorf("%q is not a size from 1 byte to 1 TiB (e.g. 64MiB)", v)
	}
	*s = Size(n * float64(mult))
	return nil
}

// FormatSize writes a byte count for people: 512 B, 4 MiB, 1.5 GiB.
func FormatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if u == 0 || f == float64(int64(f)) || f >= 100 {
		return fmt.Sprintf("%.0f %s", f, units[u])
	}
	return fmt.Sprintf("%.1f %s", f, units[u])
}

// cappedFinding tells what the reader left out, so that a verdict drawn
// without a value says so in every output.
func cappedFinding(log Log) (Finding, bool) {
	if len(log.Notes) == 0 {
		return Finding{}, false
	}
	return Finding{Severity: SevWarning, Code: "value-over-cap",
		Title:   "Values over the reader's cap were left out: the verdicts of their entries may be wrong",
		Detail:  strings.Join(log.Notes, "; "),
		Entries: append([]int{}, log.Capped...),
		Next:    "Raise the cap with --max-value (e.g. --max-value 64MiB) to read them."}, true
}
