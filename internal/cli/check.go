package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// runCheck checks a pipeline's feeds against their sources and its
// outputs against the environment: exit 0 when every feed and output is
// ready, 1 when one has problems or cannot be reached, 2 when the pipeline
// file itself is invalid.
func runCheck(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "check")
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	state := fs.String("state", "", "the profile store at `PATH` whose watermarks count, instead of the pipeline file's state:")
	timeout := fs.Duration("timeout", 0, "give up on a feed's source after this `DURATION` (e.g. 60s); default: no limit")
	logLevel := fs.String("log-level", "warn", logLevelUsage)
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(e.stderr, "mosaic check: unknown --format %q: use text or json\n", *format)
		return ExitUsage
	}
	log, err := logger(e, *logLevel)
	if err != nil {
		fmt.Fprintln(e.stderr, "mosaic check:", err)
		return ExitUsage
	}
	// The file alone: a feed whose source block does not validate (a file
	// that is missing, say) is that feed's problem, reported with the rest.
	p, err := config.Load(pos[0])
	if err == nil {
		err = audiences.Check(ctx, p)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		fmt.Fprintf(e.stderr, "%s is not valid: fix the problems above and run `mosaic check %s%s` again\n", pos[0], shellQuote(pos[0]), stateArg(*state))
		return ExitUsage
	}
	if *state != "" {
		p.State = *state
	}
	rep, err := pipeline.Check(ctx, p, builtin.Registry(), pipeline.CheckOptions{Timeout: *timeout, Log: log})
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic check: %v\n", err)
		return ExitFailed
	}
	if *format == "json" {
		out := struct {
			*pipeline.CheckReport
			Ready bool `json:"ready"`
		}{rep, rep.Ready()}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(e.stderr, "mosaic check: %v\n", err)
			return ExitFailed
		}
	} else {
		printCheck(e.stdout, rep, shellQuote(pos[0])+stateArg(*state))
	}
	if !rep.Ready() {
		return ExitFailed
	}
	return ExitOK
}

// printCheck writes the report as text: a table of the feeds, then each
// feed's columns and problems; args are the command's, for its hint.
func printCheck(w io.Writer, rep *pipeline.CheckReport, args string) {
	store := "it does not exist yet: counts are of every row"
	if rep.StoreFound {
		store = "counts are of the rows past each feed's committed state"
	}
	fmt.Fprintf(w, "pipeline %s (%s), store %s: %s\n\n", rep.Pipeline, rep.File, rep.Store, store)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "feed\tsource\trows\tstatus")
	notReady := 0
	for _, f := range rep.Feeds {
		status := "ready"
		switch {
		case !f.Ready():
			notReady++
			status = plural(len(f.Problems), "problem")
		case !f.Checked:
			status = "ready (validated only: this source has no check)"
		case len(f.Notes) > 0:
			status = "ready, " + plural(len(f.Notes), "note")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Feed, f.Source, rowCount(f), status)
	}
	tw.Flush()
	for _, f := range rep.Feeds {
		if len(f.Columns) == 0 && len(f.Problems) == 0 && len(f.Notes) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s, %s)", f.Feed, f.Source, f.Position)
		if f.Watermark != "" {
			fmt.Fprintf(w, ", past watermark %s", f.Watermark)
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range f.Columns {
			fmt.Fprintf(tw, "  %s\t%s\t→ %s\n", c.Name, c.SourceType, c.Staged)
		}
		tw.Flush()
		for _, prob := range f.Problems {
			fmt.Fprintf(w, "  problem: %s\n", prob)
		}
		for _, note := range f.Notes {
			fmt.Fprintf(w, "  note: %s\n", note)
		}
	}
	outputsNotReady := printOutputChecks(w, rep.Outputs)
	if len(rep.UnseenNames) > 0 {
		fmt.Fprintln(w, "\nnames the store has no data of (each run warns of them too):")
		for _, n := range rep.UnseenNames {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	fmt.Fprintln(w)
	summary := readiness(notReady, len(rep.Feeds), "feed")
	if len(rep.Outputs) > 0 {
		summary += "; " + readiness(outputsNotReady, len(rep.Outputs), "output")
	}
	if notReady+outputsNotReady == 0 {
		fmt.Fprintln(w, summary)
		return
	}
	fmt.Fprintf(w, "%s: fix the problems above and run `mosaic check %s` again\n", summary, args)
}

// printOutputChecks writes a table of the outputs, then each one's
// problems, and returns how many are not ready.
func printOutputChecks(w io.Writer, outs []pipeline.OutputCheck) int {
	if len(outs) == 0 {
		return 0
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "output\tkind\tstatus")
	notReady := 0
	for _, o := range outs {
		status := "ready (its variables are set; not connected)"
		switch {
		case !o.Ready():
			notReady++
			status = plural(len(o.Problems), "problem")
		case !o.Checked:
			status = "ready (reads nothing from the environment)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Output, o.Kind, status)
	}
	tw.Flush()
	for _, o := range outs {
		if o.Ready() {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s, %s)\n", o.Output, o.Kind, o.Position)
		for _, prob := range o.Problems {
			fmt.Fprintf(w, "  problem: %s\n", prob)
		}
	}
	return notReady
}

// readiness says how many of n feeds or outputs are ready.
func readiness(notReady, n int, what string) string {
	if notReady == 0 {
		return plural(n, what) + " ready"
	}
	return fmt.Sprintf("%d of %s not ready", notReady, plural(n, what))
}

func rowCount(f pipeline.FeedCheck) string {
	if f.Rows < 0 {
		return "?"
	}
	return strconv.FormatInt(f.Rows, 10)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
