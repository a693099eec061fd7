package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// runVersion prints mosaic's version (the module's, and the commit it was
// built from when the build recorded it) and the DuckDB library's.
func runVersion(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "version")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fs.Usage()
		return ExitUsage
	}
	bi, _ := debug.ReadBuildInfo()
	duck, source, err := engine.DuckDBVersion(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic version: %v\n", err)
		return ExitFailed
	}
	printVersion(e.stdout, bi, duck, source)
	return ExitOK
}

// printVersion writes the build's version lines; bi may be nil (a binary
// built without module support).
func printVersion(w io.Writer, bi *debug.BuildInfo, duck, source string) {
	version, goVersion := "(unknown)", "(unknown)"
	var revision, at, modified string
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	fmt.Fprintf(w, "mosaic %s\n", version)
	if revision != "" {
		fmt.Fprintf(w, "  commit %s", revision)
		if at != "" {
			fmt.Fprintf(w, " of %s", at)
		}
		if modified == "true" {
			fmt.Fprint(w, ", with uncommitted changes")
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  built with %s\n", goVersion)
	fmt.Fprintf(w, "  DuckDB %s (source id %s)\n", duck, source)
}
