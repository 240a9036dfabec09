package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestProfileFlags: the profiling flags are taken out wherever they stand
// before "--", in every spelling, and nothing else is touched.
func TestProfileFlags(t *testing.T) {
	for _, tc := range []struct {
		name, cpu, mem string
		args, rest     []string
		err            string
	}{
		{name: "none", args: []string{"explain", "x.har"}, rest: []string{"explain", "x.har"}},
		{name: "separate values", args: []string{"--cpuprofile", "c.prof", "explain", "-memprofile", "m.prof", "x.har"},
			rest: []string{"explain", "x.har"}, cpu: "c.prof", mem: "m.prof"},
		{name: "equals", args: []string{"explain", "--json", "--cpuprofile=c.prof", "x.har"}, rest: []string{"explain", "--json", "x.har"}, cpu: "c.prof"},
		{name: "after --", args: []string{"explain", "--", "--cpuprofile", "c.prof"}, rest: []string{"explain", "--", "--cpuprofile", "c.prof"}},
		{name: "other flags kept", args: []string{"explain", "--cpuprofiles", "x"}, rest: []string{"explain", "--cpuprofiles", "x"}},
		{name: "missing value", args: []string{"explain", "--memprofile"}, err: "flag needs an argument: -memprofile"},
		{name: "empty value", args: []string{"--cpuprofile=", "explain"}, err: "flag needs an argument: -cpuprofile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rest, cpu, mem, err := profileFlags(tc.args)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(rest, tc.rest) || cpu != tc.cpu || mem != tc.mem {
				t.Fatalf("got %q, cpu %q, mem %q, %v; want %q, cpu %q, mem %q", rest, cpu, mem, err, tc.rest, tc.cpu, tc.mem)
			}
		})
	}
}

// TestProfiled runs explain on the bundled capture with both profiles:
// the output is the run's own, and both files are pprof's gzip-compressed
// protocol buffers.
func TestProfiled(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	args := []string{"explain", "--json", "--jwt-key", "testdata/keys/instance-public.pem", "testdata/har/b-expired-handshake.har"}
	_, want, _ := runCLI(t, "", args...)
	var out, errb bytes.Buffer
	code := profiled(append([]string{"--cpuprofile", cpu, "--memprofile=" + mem}, args...), &errb, func(args []string) int {
		return run(context.Background(), args, strings.NewReader(""), &out, &errb)
	})
	if code != exitOK || errb.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if out.String() != want {
		t.Fatal("the profiled run's output differs from the plain run's")
	}
	for _, f := range []string{cpu, mem} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s is not a gzip-compressed profile (%d bytes)", filepath.Base(f), len(b))
		}
	}
}

// TestProfiledBadFile: a CPU profile that cannot be created stops the run
// with one line and exit 2, before anything runs.
func TestProfiledBadFile(t *testing.T) {
	var errb bytes.Buffer
	ran := false
	code := profiled([]string{"--cpuprofile", filepath.Join(t.TempDir(), "no", "such", "dir"), "version"}, &errb, func([]string) int { ran = true; return exitOK })
	if code != exitUsage || ran || strings.Count(errb.String(), "\n") != 1 || !strings.HasPrefix(errb.String(), "clerkscope: --cpuprofile: ") {
		t.Fatalf("exit %d, ran %v, stderr %q", code, ran, errb.String())
	}
}

// TestProfileFlagsHidden: no help text mentions them.
func TestProfileFlagsHidden(t *testing.T) {
	for _, name := range []string{"", "explain", "report", "lookup", "webhook"} {
		if u := commandUsage(name); strings.Contains(u, "profile") {
			t.Errorf("help of %q mentions a profile flag", name)
		}
	}
}
