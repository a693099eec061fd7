package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

func runRun(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "run")
	fullRefresh := fs.Bool("full-refresh", false, "re-read every feed from the start and rebuild the store's profiles")
	noSync := fs.Bool("no-sync", false, "commit the run without syncing the outputs (mosaic sync does it later)")
	state := fs.String("state", "", stateUsage)
	now := fs.String("now", "", "the run's clock, a `TIME` in RFC 3339 (for tests and backfills); default: now")
	logLevel := fs.String("log-level", "info", logLevelUsage)
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to `FILE` (read it with go tool pprof)")
	memoryLimit := memoryLimitFlag(fs)
	dryRun := fs.Bool("dry-run", false, "run every stage, report what the run would change, and roll back: the store stays as it was and no output is called")
	as := protectionOverrides{}
	fs.Var(as, "as", "with --dry-run: `FEED=LEVEL` runs the feed at that protection level, create_update, only_update or only_read (repeat for more feeds)")
	samples := fs.Int("samples", 5, "with --dry-run: show `N` profiles of each kind of change (created, updated, merged) before and after")
	format := fs.String("format", "text", "output `FORMAT`: text or json (json: the run's stats)")
	renameFrom := fs.String("rename-from", "", "the pipeline's old `NAME`: run a renamed pipeline on the store its old name's runs wrote")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	if len(as) > 0 && !*dryRun {
		fmt.Fprintln(e.stderr, "mosaic run: --as changes a feed's protection for a dry run only: add --dry-run, or change `protection:` in the pipeline file")
		return ExitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(e.stderr, "mosaic run: unknown --format %q: use text or json\n", *format)
		return ExitUsage
	}
	opts := pipeline.Options{FullRefresh: *fullRefresh, NoSync: *noSync, DryRun: *dryRun, RenameFrom: *renameFrom}
	if *dryRun {
		opts.Samples = *samples
	}
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			fmt.Fprintf(e.stderr, "mosaic run: bad --now %q: write RFC 3339, like 2026-06-01T00:00:00Z\n", *now)
			return ExitUsage
		}
		opts.Now = t
	}
	p, code := loadPipeline(e, pos[0])
	if p == nil {
		return code
	}
	if *state != "" {
		p.State = *state
	}
	if err := as.apply(p); err != nil {
		fmt.Fprintln(e.stderr, "mosaic run:", err)
		return ExitUsage
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(e.stderr, "mosaic run:", err)
			return ExitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(e.stderr, "mosaic run:", err)
			return ExitUsage
		}
		defer pprof.StopCPUProfile()
	}
	r := &pipeline.Runner{Registry: builtin.Registry(), MemoryLimit: *memoryLimit}
	if isTerminal(e.stderr) {
		// A progress line on the terminal; only warnings and errors as logs.
		log, _ := logger(e, "warn")
		r.Log = log
		r.Progress = func(s pipeline.Step) {
			fmt.Fprintf(e.stderr, "\r\033[K[%d/%d] %s %s", s.Index, s.Total, s.Stage, s.Feed)
		}
	} else {
		log, err := logger(e, *logLevel)
		if err != nil {
			fmt.Fprintln(e.stderr, "mosaic run:", err)
			return ExitUsage
		}
		r.Log = log
	}
	setGoMemoryLimit(*memoryLimit, r.Log)
	res, err := r.Run(ctx, p, opts)
	if r.Progress != nil {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	var ee *pipeline.EnvError
	switch {
	case errors.As(err, &ee) && ee.Feeds:
		fmt.Fprintln(e.stderr, err)
		fmt.Fprintf(e.stderr, "mosaic run: refused before reading anything: %s. Set the variables and run again\n", ee.Above())
		return ExitFailed
	case errors.As(err, &ee):
		fmt.Fprintln(e.stderr, err)
		fmt.Fprintf(e.stderr, "mosaic run: refused before reading anything: the outputs above could not sync after the run. Set the variables and run again, or commit the run without syncing with `mosaic run --no-sync %s` (then `mosaic sync %s%s` once they are set)\n", shellQuote(pos[0])+stateArg(*state), shellQuote(pos[0]), stateArg(*state))
		return ExitFailed
	}
	var oe *pipeline.OutputsError
	if errors.As(err, &oe) {
		printSummary(e.stdout, p, res, storeArg(pos[0], *state))
		fmt.Fprintf(e.stderr, "mosaic run: %v\nThe run's data is committed; what the outputs acknowledged is kept, and the rest is sent again at the next run or `mosaic sync %s%s`.\n", err, shellQuote(pos[0]), stateArg(*state))
		return ExitFailed
	}
	if err != nil {
		if errors.Is(err, config.ErrInvalid) {
			fmt.Fprintln(e.stderr, err)
			return ExitUsage
		}
		if res != nil && res.Run.ID != 0 {
			fmt.Fprintf(e.stderr, "mosaic run: run %d of %s %s: %v\nThe store is unchanged; fix the problem and run again.\n", res.Run.ID, p.Name, res.Run.Status, err)
		} else {
			fmt.Fprintf(e.stderr, "mosaic run: %v\n", err)
		}
		return ExitFailed
	}
	if *format == "json" {
		out, _ := json.MarshalIndent(struct {
			Run     int64             `json:"run_id"`
			Status  string            `json:"status"`
			DryRun  bool              `json:"dry_run,omitempty"`
			As      map[string]string `json:"as,omitempty"`
			Stats   pipeline.Stats    `json:"stats"`
			Samples []pipeline.Sample `json:"samples,omitempty"`
		}{res.Run.ID, res.Run.Status, *dryRun, as, res.Stats, res.Samples}, "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return ExitOK
	}
	printSummary(e.stdout, p, res, storeArg(pos[0], *state))
	return ExitOK
}

// printSummary prints a run's result; store is how its hints name the
// store (storeArg).
func printSummary(w io.Writer, p *config.Pipeline, res *pipeline.Result, store string) {
	st := res.Stats
	took := res.Run.Finished.Sub(res.Run.Started).Round(time.Millisecond)
	if res.Run.Status == pipeline.StatusDryRun {
		fmt.Fprintf(w, "dry run of %s in %s: what run %d would do; it rolled back, and store %s is unchanged\n", p.Name, took, res.Run.ID, p.State)
	} else {
		fmt.Fprintf(w, "run %d of %s %s in %s (store %s)\n", res.Run.ID, p.Name, res.Run.Status, took, p.State)
	}
	if n := st.Profiles.SharedValues; n > 0 {
		var parts []string
		for _, s := range st.Profiles.Shared {
			parts = append(parts, fmt.Sprintf("%s=%s on %d records (max %d)", s.Type, s.Value, s.Records, s.Limit))
		}
		if more := n - int64(len(parts)); more > 0 {
			parts = append(parts, fmt.Sprintf("and %d more", more))
		}
		fmt.Fprintf(w, "shared identity values that link nothing (identity.max_shared): %s; recorded in dropped_rows as shared_identity\n", strings.Join(parts, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "feed\trows read\tkept\tdropped\t  problems recorded in dropped_rows")
	for _, feed := range p.Feeds {
		f := st.Feeds[feed.Name]
		reasons, n := counts(f.DroppedByReason)
		if n > 0 {
			reasons = fmt.Sprintf("  %d: %s", n, reasons)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", feed.Name, f.Read, f.Kept, f.Dropped, reasons)
	}
	tw.Flush()
	printWarnings(w, p, st)
	fmt.Fprintf(w, "profiles: %d created, %d updated, %d merged as aliases; %d identities added\n",
		st.Profiles.Created, st.Profiles.Updated, st.Profiles.Merged, st.Profiles.IdentitiesAdded)
	if l := st.Profiles.Largest; len(l) > 0 && l[0].Identities > 1 {
		var parts []string
		for _, p := range l {
			parts = append(parts, fmt.Sprintf("%d (%d identities, %d rows)", p.MPID, p.Identities, p.Rows))
		}
		fmt.Fprintf(w, "largest profiles: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "attributes: %d written, %d kept out by a higher-priority source; calculated values: %d changed\n", st.Attributes.Written, st.Attributes.Ignored, st.Calculated.Changed)
	if a := st.Attributes; a.Set+a.Deleted+int64(len(a.Overwritten)) > 0 {
		detail, n := counts(a.Overwritten)
		if n > 0 {
			detail = " (" + detail + ")"
		}
		fmt.Fprintf(w, "attribute values: %d set, %d overwritten%s, %d deleted\n", a.Set, n, detail, a.Deleted)
	}
	printAudiences(w, p, st)
	printSamples(w, res.Samples)
	if len(res.Outputs) > 0 {
		printSyncs(w, p, res.Outputs, false)
	}
	if st.DroppedRecords > 0 && res.Run.Status == pipeline.StatusDryRun {
		byReason, _ := counts(st.DroppedByReason)
		fmt.Fprintf(w, "would drop %s; by reason: %s\n", drops(st, "would be recorded"), byReason)
	}
	if st.DroppedRecords > 0 && res.Run.Status != pipeline.StatusDryRun {
		fmt.Fprintf(w, "dropped %s — see them with:\n  mosaic sql %s \"SELECT feed, reason, count(*) AS n FROM dropped_rows WHERE run_id = %d GROUP BY ALL ORDER BY n DESC\"\n",
			drops(st, "recorded"), store, res.Run.ID)
	}
}

// drops says how many rows a run dropped and what it recorded in
// dropped_rows: a record per dropped row, and one per identity, value or
// attribute a rule kept out of a kept row.
func drops(st pipeline.Stats, recorded string) string {
	rows := fmt.Sprintf("%d rows", st.Dropped)
	if st.Dropped == 1 {
		rows = "1 row"
	}
	parts := st.DroppedRecords - st.Dropped
	switch {
	case parts == 0:
		return rows + ", each " + recorded + " in dropped_rows with its reason"
	case parts == 1:
		return fmt.Sprintf("%s; %d problems %s in dropped_rows: one per dropped row, and 1 for an identity, value or attribute kept out of a kept row", rows, st.DroppedRecords, recorded)
	}
	return fmt.Sprintf("%s; %d problems %s in dropped_rows: one per dropped row, and %d for identities, values or attributes kept out of kept rows", rows, st.DroppedRecords, recorded, parts)
}

// printWarnings prints what the run went past, feed by feed, then the
// names of definitions that match no stored data.
func printWarnings(w io.Writer, p *config.Pipeline, st pipeline.Stats) {
	first := true
	warn := func(msg string) {
		if first {
			fmt.Fprintln(w, "warnings:")
			first = false
		}
		fmt.Fprintf(w, "  %s\n", msg)
	}
	for _, feed := range p.Feeds {
		for _, msg := range st.Feeds[feed.Name].Warnings {
			warn(feed.Name + ": " + msg)
		}
	}
	for _, msg := range st.UnseenNames {
		warn(msg)
	}
}

// counts writes counts by name as "name n, name n" (sorted by name) and
// sums them.
func counts(byName map[string]int64) (string, int64) {
	var parts []string
	var sum int64
	for _, k := range slices.Sorted(maps.Keys(byName)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, byName[k]))
		sum += byName[k]
	}
	return strings.Join(parts, ", "), sum
}
