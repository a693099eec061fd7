// Package cli holds mosaic's subcommands. Every command takes its I/O as
// arguments so that tests run it in-process; only this package and cmd/
// print or choose exit codes.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// Exit codes.
const (
	ExitOK     = 0 // success
	ExitFailed = 1 // the run (or query) failed
	ExitUsage  = 2 // bad usage or an invalid pipeline file
)

// env is what every command gets.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// flags, when set, is given each flag set a command makes (the tests
	// read every command's flags through it).
	flags func(*flag.FlagSet)
}

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, e env, args []string) int
}

// commands lists the subcommands. Each one's args names every flag its
// flag set defines, as that flag's help names its argument
// (TestSynopsesNameEveryFlag), and README's table of commands repeats
// them.
func commands() []command {
	return []command{
		{"validate", "PIPELINE.yaml [--explain] [--no-env]", "check a pipeline file, its sources and its feeds' and outputs' secrets without running it", runValidate},
		{"check", "PIPELINE.yaml [--format text|json] [--state PATH] [--timeout DURATION] [--log-level LEVEL]", "connect to every feed's source: tables, mapped columns, types and rows to read, without reading or changing anything", runCheck},
		{"run", "PIPELINE.yaml [--full-refresh] [--no-sync] [--dry-run [--as FEED=LEVEL]... [--samples N]] [--format text|json] [--state PATH] [--rename-from NAME] [--now TIME] [--log-level LEVEL] [--memory-limit SIZE] [--cpuprofile FILE]", "run a pipeline once, sync its outputs, and print a summary (--dry-run: report what it would change and roll back)", runRun},
		{"sync", "PIPELINE.yaml [--output NAME] [--dry-run] [--samples N] [--state PATH] [--log-level LEVEL]", "sync the outputs from the committed store now (--dry-run: show what would be sent)", runSync},
		{"outputs", "(--state PATH | -p PIPELINE.yaml) [--format table|csv|json|ndjson]", "list outputs with their last sync, counts and failures", runOutputs},
		{"forget", "(-p PIPELINE.yaml | --state PATH) (--mpid N | --identity TYPE=VALUE) [--reason TEXT] [--block]", "erase a data subject's profile; outputs remove its records at their next sync", runForget},
		{"schedule", "PIPELINE.yaml... [--run-now] [--grace DURATION] [--log-level LEVEL] [--memory-limit SIZE]", "run pipelines on their `schedule:` until SIGINT/SIGTERM", runSchedule},
		{"serve", "PIPELINE.yaml [--addr HOST:PORT] [--run-now] [--grace DURATION] [--run-cores N] [--log-level LEVEL] [--memory-limit SIZE]", "hold the store, run the pipeline on its `schedule:` and serve the Events API, the Profile API and /metrics until SIGINT/SIGTERM", runServe},
		{"sql", "(--state PATH | -p PIPELINE.yaml) [--format table|csv|json|ndjson] QUERY", "query a profile store (read-only)", runSQL},
		{"runs", "(--state PATH | -p PIPELINE.yaml) [--format table|csv|json|ndjson] [--limit N]", "show a store's run history", runRuns},
		{"profile", "(--state PATH | -p PIPELINE.yaml) (--mpid N | --identity TYPE=VALUE) [--explain] [--format table|json]", "show one profile: identities, attributes, aliases (--explain: how it came to be)", runProfile},
		{"audiences", "(--state PATH | -p PIPELINE.yaml) [--format table|csv|json|ndjson]", "list audiences with their size and last change", runAudiences},
		{"audience", "NAME (--state PATH | -p PIPELINE.yaml) [--members] [--format table|csv|json|ndjson]", "show an audience's changes, or its current members", runAudience},
		{"gen", "--users N --out DIR [--seed N]", "write a synthetic data set and a pipeline that reads it", runGen},
		{"version", "", "print mosaic's version and DuckDB's (also: mosaic --version)", runVersion},
	}
}

// Run runs mosaic with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		return runVersion(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, stdin, stdout, stderr)
		}
		usage(stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "mosaic: unknown command %q\n\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "mosaic — a warehouse-native customer-profile engine")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands() {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  mosaic %-8s %s", c.name, c.args), " "))
		fmt.Fprintf(w, "           %s\n", c.summary)
	}
	fmt.Fprintln(w, "\nRun `mosaic COMMAND --help` for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 run or query failed, 2 usage or validation error.")
}

// newFlags returns a flag set that prints its usage to stderr.
func newFlags(e env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("mosaic "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if e.flags != nil {
		e.flags(fs)
	}
	for _, c := range commands() {
		if c.name == name {
			fs.Usage = func() {
				fmt.Fprintf(e.stderr, "%s\n\n%s\n", strings.TrimRight("Usage: mosaic "+name+" "+c.args, " "), c.summary)
				hasFlags := false
				fs.VisitAll(func(*flag.Flag) { hasFlags = true })
				if hasFlags {
					fmt.Fprintln(e.stderr, "\nFlags:")
					fs.PrintDefaults()
				}
			}
		}
	}
	return fs
}

// parse parses flags that may come before or after the positional
// arguments, and returns the positional ones. ok is false after --help
// (code 0) or a usage error (code 2).
func parse(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ExitOK, false
			}
			return nil, ExitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, 0, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), 0, true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadPipeline loads and validates a pipeline file, printing problems. The
// returned code is meaningful when p is nil.
func loadPipeline(e env, path string) (*config.Pipeline, int) {
	p, err := pipeline.Load(path, builtin.Registry())
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		if errors.Is(err, config.ErrInvalid) {
			fmt.Fprintf(e.stderr, "%s is not valid: fix the problems above and run `mosaic validate %s`\n", path, path)
			return nil, ExitUsage
		}
		return nil, ExitUsage
	}
	return p, ExitOK
}

// isTerminal tells whether w is a terminal (for progress display).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// Usage strings that several commands share. A flag's usage names its
// argument in backquotes (flag.UnquoteUsage), and nothing else: a
// backquoted word is what --help shows as the flag's argument.
const (
	stateUsage    = "the profile store at `PATH` to use instead of the pipeline file's state:"
	logLevelUsage = "the `LEVEL` of log lines to print: debug, info, warn or error"
)

// memoryLimitFlag adds --memory-limit to a command that opens a store for
// writing. Its default is the MOSAIC_MEMORY_LIMIT environment variable,
// else the engine's default: the CLI reads the environment, the engine
// does not.
func memoryLimitFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("MOSAIC_MEMORY_LIMIT")
	if def == "" {
		def = engine.DefaultMemoryLimit
	}
	return fs.String("memory-limit", def, "DuckDB's memory limit for the store, a `SIZE` such as 8GB or 512MB; past it DuckDB spills to the store's .tmp folder (the default is $MOSAIC_MEMORY_LIMIT when set)")
}

// storeArg is how a hint names the store a command used: --state PATH
// when it was given, else -p and the pipeline file.
func storeArg(pipelineFile, state string) string {
	if state != "" {
		return "--state " + shellQuote(state)
	}
	return "-p " + shellQuote(pipelineFile)
}

// stateArg is " --state PATH" for a hint that names the pipeline file,
// when --state was given, else "".
func stateArg(state string) string {
	if state == "" {
		return ""
	}
	return " --state " + shellQuote(state)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellDoubleQuote quotes s in double quotes for a POSIX shell (for SQL,
// which holds single quotes).
func shellDoubleQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return `"` + r.Replace(s) + `"`
}

func logger(e env, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("bad --log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: l})), nil
}
