package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/mosaic-cdp/mosaic/internal/gen"
)

func runGen(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "gen")
	users := fs.Int("users", 10000, "simulate `N` users")
	out := fs.String("out", "", "the folder `DIR` to write into (created if missing)")
	seed := fs.Int64("seed", 1, "the random seed, `N`: the same seed gives the same files")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 || *out == "" || *users < 1 {
		fs.Usage()
		return ExitUsage
	}
	sum, err := gen.Generate(ctx, gen.Options{Users: *users, Out: *out, Seed: *seed})
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic gen: %v\n", err)
		return ExitFailed
	}
	for _, f := range sum.Files {
		if f.Rows == 0 {
			fmt.Fprintf(e.stdout, "%17s  %s\n", "", filepath.Join(*out, f.Path))
			continue
		}
		fmt.Fprintf(e.stdout, "%12d rows  %s\n", f.Rows, filepath.Join(*out, f.Path))
	}
	fmt.Fprintf(e.stdout, "wrote %d users in %s; run it with:\n  mosaic run %s\n", *users, sum.Elapsed.Round(1e6), filepath.Join(*out, "pipeline.yaml"))
	return ExitOK
}
