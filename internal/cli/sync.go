package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// runSync syncs a pipeline's outputs from its committed store.
func runSync(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "sync")
	only := fs.String("output", "", "sync only the output called `NAME`")
	dryRun := fs.Bool("dry-run", false, "send nothing: print what each output would add, change, remove and refresh, with sample records, and the records a destination that can check them (google_customer_match) would refuse")
	samples := fs.Int("samples", 3, "with --dry-run, show `N` records (and refused records) per output")
	state := fs.String("state", "", stateUsage)
	logLevel := fs.String("log-level", "warn", logLevelUsage)
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	log, err := logger(e, *logLevel)
	if err != nil {
		fmt.Fprintln(e.stderr, "mosaic sync:", err)
		return ExitUsage
	}
	p, code := loadPipeline(e, pos[0])
	if p == nil {
		return code
	}
	if *state != "" {
		p.State = *state
	}
	if len(p.Outputs) == 0 {
		fmt.Fprintf(e.stderr, "mosaic sync: %s has no `outputs:`; add one (see docs/outputs.md)\n", pos[0])
		return ExitUsage
	}
	// An output that cannot read its secrets cannot sync: a sync is
	// refused before it starts; a dry run shows what would be sent, then
	// fails with the same problems.
	envErr := pipeline.CheckOutputEnv(p, builtin.Registry(), *only)
	if envErr != nil && !*dryRun {
		fmt.Fprintln(e.stderr, envErr)
		fmt.Fprintf(e.stderr, "mosaic sync: nothing was sent, as the outputs above cannot sync: set the variables and run `mosaic sync %s%s` again (`--output NAME` syncs one output alone)\n", shellQuote(pos[0]), stateArg(*state))
		return ExitFailed
	}
	// A sync writes its delivery state; a dry run writes nothing, but its
	// diff needs temporary tables, which a writer's connection has.
	store, err := engine.Open(ctx, p.State, engine.Options{Command: "mosaic sync " + p.Name, Logger: log})
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic sync: %v\n", err)
		return ExitFailed
	}
	defer store.Close()
	if err := pipeline.CheckOwner(ctx, store, p, ""); err != nil {
		fmt.Fprintf(e.stderr, "mosaic sync: %v\n", err)
		return ExitUsage
	}
	s := &outputs.Syncer{Registry: builtin.Registry(), Log: log}
	results, err := s.Sync(ctx, store, p, outputs.Options{Only: *only, DryRun: *dryRun, Samples: *samples})
	printSyncs(e.stdout, p, results, *dryRun)
	var oe *outputs.Error
	switch {
	case errors.As(err, &oe):
		fmt.Fprintf(e.stderr, "mosaic sync: %v\nWhat was acknowledged is kept; the rest is sent again at the next sync (see `mosaic outputs %s`).\n", err, storeArg(pos[0], *state))
		return ExitFailed
	case err != nil:
		fmt.Fprintf(e.stderr, "mosaic sync: %v\n", err)
		return ExitFailed
	case envErr != nil:
		fmt.Fprintln(e.stderr, envErr)
		fmt.Fprintf(e.stderr, "mosaic sync: the dry run's counts stand, but the outputs above would fail to sync: set the variables and run `mosaic sync %s%s --dry-run` again\n", shellQuote(pos[0]), stateArg(*state))
		return ExitFailed
	}
	return ExitOK
}

// printSyncs prints one line per output's sync and, for a dry run, its
// sample records and what a destination that checks them answered.
func printSyncs(w io.Writer, p *config.Pipeline, results []outputs.Result, dryRun bool) {
	if len(results) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if dryRun {
		fmt.Fprintln(tw, "output\tkind\twould add\tchange\tremove\trefresh\tinvalid\tholds")
	} else {
		fmt.Fprintln(tw, "output\tkind\tstatus\tadded\tchanged\tremoved\trefreshed\tinvalid\tfailed")
	}
	for _, r := range results {
		kind := ""
		for _, o := range p.Outputs {
			if o.Name == r.Output {
				kind = o.Kind
			}
		}
		if dryRun {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", r.Output, kind, r.Added, r.Changed, r.Removed, r.Refreshed, r.Invalid, r.Holds)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", r.Output, kind, r.Status, r.Added, r.Changed, r.Removed, r.Refreshed, r.Invalid, r.Failed)
		}
	}
	tw.Flush()
	for _, r := range results {
		if len(r.Samples) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s, first %d records:\n", r.Output, len(r.Samples))
		for _, rec := range r.Samples {
			fmt.Fprintf(w, "  %s %s %s\n", rec.Op, rec.Key, rec.Fields)
		}
	}
	for _, r := range results {
		printDestinationCheck(w, r)
	}
}

// printDestinationCheck prints what an output's destination answered a
// dry run's records (outputs.Check), when it checked them.
func printDestinationCheck(w io.Writer, r outputs.Result) {
	c := r.Check
	switch {
	case c == nil:
		return
	case c.Err != nil && c.Checked == 0:
		fmt.Fprintf(w, "\n%s: not checked by the destination (the counts above stand): %v\n", r.Output, c.Err)
		return
	case c.Err != nil:
		fmt.Fprintf(w, "\n%s: the destination checked %d records, then the check stopped: %v\n", r.Output, c.Checked, c.Err)
	default:
		fmt.Fprintf(w, "\n%s: the destination checked %d records, applying nothing\n", r.Output, c.Checked)
	}
	fmt.Fprintf(w, "%s: %d would be refused", r.Output, c.Rejected)
	if len(c.Rejections) == 0 {
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, ", first %d:\n", len(c.Rejections))
	for _, rj := range c.Rejections {
		fmt.Fprintf(w, "  %s %s: %s\n", rj.Op, rj.Key, rj.Reason)
	}
}

// runOutputs lists a store's outputs with their last sync.
func runOutputs(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "outputs")
	sf := addStoreFlags(fs)
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fs.Usage()
		return ExitUsage
	}
	s, code := sf.open(ctx, e, "outputs")
	if s == nil {
		return code
	}
	defer s.Close()
	names, code := pipelineNames(e, sf, func(p *config.Pipeline) []string {
		var names []string
		for _, o := range p.Outputs {
			names = append(names, o.Name)
		}
		return names
	})
	if names == nil {
		return code
	}
	if err := query(ctx, e, s, *sf.format, sqlfiles.Get("cli/outputs.sql"), names); err != nil {
		fmt.Fprintf(e.stderr, "mosaic outputs: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}
