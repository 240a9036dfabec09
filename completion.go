package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Shell completion: `clerkscope completion bash|zsh|fish` prints a script
// that completes the commands, each command's flags (from its own flag
// set, so the two cannot drift) and file names.

// commands are the first words clerkscope knows.
var commands = []string{"explain", "report", "lookup", "webhook", "config", "completion", "version", "help"}

// commandFlags lists each command's flags, read from the flag sets the
// commands parse with.
func commandFlags() map[string][]string {
	judge := func(extra func(fs *flag.FlagSet)) []string {
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		var f judgeFlags
		f.register(fs)
		if extra != nil {
			extra(fs)
		}
		return flagNames(fs)
	}
	return map[string][]string{
		"":        judge(nil),
		"explain": judge(nil),
		"report": judge(func(fs *flag.FlagSet) {
			fs.String("format", "", "")
			fs.Bool("no-redact", false, "")
			fs.String("o", "", "")
		}),
		"lookup":     {"--by", "--json", "--records"},
		"webhook":    {"--config", "--instance", "--json", "--jwks", "--lookup", "--now", "--publishable-key", "--reveal", "--webhook-secret"},
		"completion": {"bash", "fish", "zsh"},
	}
}

func flagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(fl *flag.Flag) {
		if len(fl.Name) == 1 {
			out = append(out, "-"+fl.Name)
		} else {
			out = append(out, "--"+fl.Name)
		}
	})
	sort.Strings(out)
	return out
}

// runCompletion prints the completion script of a shell.
func runCompletion(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return &usageError{"completion takes one shell: bash, zsh or fish (e.g. clerkscope completion bash > /etc/bash_completion.d/clerkscope)"}
	}
	flags := commandFlags()
	switch args[0] {
	case "bash", "zsh":
		var b strings.Builder
		if args[0] == "zsh" {
			b.WriteString("#compdef clerkscope\nautoload -U +X bashcompinit && bashcompinit\n")
		}
		b.WriteString("# clerkscope completion (clerkscope completion " + args[0] + ")\n_clerkscope() {\n")
		b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}\n")
		b.WriteString("  if [ \"$COMP_CWORD\" -eq 1 ] && [[ $cur != -* ]]; then\n")
		fmt.Fprintf(&b, "    COMPREPLY=($(compgen -W %q -- \"$cur\") $(compgen -f -- \"$cur\")); return\n  fi\n", strings.Join(commands, " "))
		b.WriteString("  case $cmd in\n")
		for _, c := range []string{"explain", "report", "lookup", "webhook", "completion"} {
			fmt.Fprintf(&b, "    %s) words=%q ;;\n", c, strings.Join(flags[c], " "))
		}
		fmt.Fprintf(&b, "    *) words=%q ;;\n  esac\n", strings.Join(flags[""], " "))
		b.WriteString("  if [[ $cur == -* || $cmd == completion ]]; then COMPREPLY=($(compgen -W \"$words\" -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi\n}\n")
		b.WriteString("complete -o filenames -F _clerkscope clerkscope\n")
		_, err := io.WriteString(stdout, b.String())
		return err
	case "fish":
		var b strings.Builder
		b.WriteString("# clerkscope completion (clerkscope completion fish)\n")
		fmt.Fprintf(&b, "complete -c clerkscope -n '__fish_use_subcommand' -a '%s'\n", strings.Join(commands, " "))
		for _, c := range []string{"explain", "report", "lookup", "webhook"} {
			for _, fl := range flags[c] {
				fmt.Fprintf(&b, "complete -c clerkscope -n '__fish_seen_subcommand_from %s' %s\n", c, fishFlag(fl))
			}
		}
		b.WriteString("complete -c clerkscope -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'\n")
		for _, fl := range flags[""] {
			fmt.Fprintf(&b, "complete -c clerkscope -n '__fish_use_subcommand' %s\n", fishFlag(fl))
		}
		_, err := io.WriteString(stdout, b.String())
		return err
	}
	return &usageError{fmt.Sprintf("completion %q: the shells are bash, zsh and fish", args[0])}
}

func fishFlag(fl string) string {
	if strings.HasPrefix(fl, "--") {
		return "-l " + strings.TrimPrefix(fl, "--")
	}
	return "-s " + strings.TrimPrefix(fl, "-")
}
