package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// pipelineNames returns the names that names picks from the pipeline file
// given with -p (none with --state), or nil and an exit code.
func pipelineNames(e env, sf storeFlags, names func(p *config.Pipeline) []string) ([]string, int) {
	if *sf.pipeline == "" {
		return []string{}, ExitOK
	}
	p, err := config.Load(*sf.pipeline)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, ExitUsage
	}
	return append([]string{}, names(p)...), ExitOK
}

// pipelineAudiences returns the audience names of the pipeline file given
// with -p (none with --state), or nil and an exit code.
func pipelineAudiences(e env, sf storeFlags) ([]string, int) {
	return pipelineNames(e, sf, func(p *config.Pipeline) []string {
		var names []string
		for _, a := range p.Audiences {
			names = append(names, a.Name)
		}
		return names
	})
}

func runAudiences(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "audiences")
	sf := addStoreFlags(fs)
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fs.Usage()
		return ExitUsage
	}
	s, code := sf.open(ctx, e, "audiences")
	if s == nil {
		return code
	}
	defer s.Close()
	names, code := pipelineAudiences(e, sf)
	if names == nil {
		return code
	}
	if err := query(ctx, e, s, *sf.format, sqlfiles.Get("cli/audiences.sql"), names); err != nil {
		fmt.Fprintf(e.stderr, "mosaic audiences: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}

func runAudience(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "audience")
	sf := addStoreFlags(fs)
	members := fs.Bool("members", false, "list the current members (mpid, entered_at) instead of the audience's changes")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	name := pos[0]
	s, code := sf.open(ctx, e, "audience")
	if s == nil {
		return code
	}
	defer s.Close()
	names, code := pipelineAudiences(e, sf)
	if names == nil {
		return code
	}
	var known bool
	if err := s.Conn().QueryRowContext(ctx, sqlfiles.Get("cli/audience_known.sql"), name).Scan(&known); err != nil {
		fmt.Fprintf(e.stderr, "mosaic audience: %v\n", err)
		return ExitFailed
	}
	if !known && !slices.Contains(names, name) {
		fmt.Fprintf(e.stderr, "mosaic audience: no audience %q in the store: `mosaic audiences %s` lists them\n", name, storeArg(*sf.pipeline, *sf.state))
		return ExitFailed
	}
	q := sqlfiles.Get("cli/audience_changes.sql")
	if *members {
		q = sqlfiles.Get("cli/audience_members.sql")
	}
	if err := query(ctx, e, s, *sf.format, q, name); err != nil {
		fmt.Fprintf(e.stderr, "mosaic audience: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}

// printAudiences adds each audience's size and change to a run summary.
func printAudiences(w io.Writer, p *config.Pipeline, st pipeline.Stats) {
	if len(p.Audiences) == 0 && len(st.AudiencesRemoved) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "audience\tmembers\tentered\texited\t")
	for _, a := range p.Audiences {
		as := st.Audiences[a.Name]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", a.Name, as.Size, as.Entered, as.Exited)
	}
	for _, name := range slices.Sorted(maps.Keys(st.AudiencesRemoved)) {
		fmt.Fprintf(tw, "%s (removed from the file)\t0\t0\t%d\t\n", name, st.AudiencesRemoved[name])
	}
	tw.Flush()
}
