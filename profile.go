package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
)

// Hidden flags, for profiling the binary itself on a real capture:
// --cpuprofile FILE writes a CPU profile of the whole run and --memprofile
// FILE a heap profile at its end (after a collection, with every
// allocation since the start), both for `go tool pprof`. They may stand
// anywhere before a "--" and are not shown in any help: they are for
// whoever works on clerkscope, not for its users.
const (
	flagCPUProfile = "cpuprofile"
	flagMemProfile = "memprofile"
)

// profiled runs run with the profiling flags taken out of args, and writes
// the profiles they ask for once it returns. A profile that cannot be
// started or written is one line on stderr; one that cannot start stops
// the run (exit 2), as any other bad flag.
func profiled(args []string, stderr io.Writer, run func(args []string) int) int {
	rest, cpuPath, memPath, err := profileFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "clerkscope: %s (see clerkscope help)\n", err)
		return exitUsage
	}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			fmt.Fprintf(stderr, "clerkscope: --cpuprofile: %s\n", err)
			return exitUsage
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			fmt.Fprintf(stderr, "clerkscope: --cpuprofile: %s\n", err)
			return exitUsage
		}
		defer func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				fmt.Fprintf(stderr, "clerkscope: --cpuprofile: %s\n", err)
			}
		}()
	}
	code := run(rest)
	if memPath != "" {
		if err := writeHeapProfile(memPath); err != nil {
			fmt.Fprintf(stderr, "clerkscope: --memprofile: %s\n", err)
		}
	}
	return code
}

// writeHeapProfile writes the heap profile as `go test -memprofile` does:
// after a collection, so that the in-use figures are the live heap.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// profileFlags takes --cpuprofile and --memprofile (one or two dashes, a
// separate value or "=value") out of args, before any "--".
func profileFlags(args []string) (rest []string, cpu, mem string, err error) {
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if !strings.HasPrefix(a, "-") || name != flagCPUProfile && name != flagMemProfile {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, "", "", fmt.Errorf("flag needs an argument: -%s", name)
			}
			i++
			value = args[i]
		}
		if value == "" {
			return nil, "", "", fmt.Errorf("flag needs an argument: -%s", name)
		}
		if name == flagCPUProfile {
			cpu = value
		} else {
			mem = value
		}
	}
	return rest, cpu, mem, nil
}
