package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"slices"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/remote"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// storeFlags are the flags that pick a store, --state or -p, and
// --format, one of formats (the first is the default).
type storeFlags struct {
	state, pipeline, format *string
	formats                 []string
}

// addStoreFlags adds --state, -p and --format, whose values are formats
// (all of them when none is given).
func addStoreFlags(fs *flag.FlagSet, formats ...string) storeFlags {
	if len(formats) == 0 {
		formats = allFormats
	}
	return storeFlags{
		state:    fs.String("state", "", "the profile store at `PATH` (a .duckdb file)"),
		pipeline: fs.String("p", "", "the pipeline file (`PIPELINE.yaml`) whose state: is the store"),
		format:   fs.String("format", formats[0], "output `FORMAT`: "+orList(formats)),
		formats:  formats,
	}
}

// open opens the chosen store read-only, or, when `mosaic serve` holds
// it, a handle that asks that server.
func (sf storeFlags) open(ctx context.Context, e env, cmd string) (*storeReader, int) {
	if !slices.Contains(sf.formats, *sf.format) {
		fmt.Fprintf(e.stderr, "mosaic %s: unknown --format %q: use %s\n", cmd, *sf.format, orList(sf.formats))
		return nil, ExitUsage
	}
	path := *sf.state
	switch {
	case path != "" && *sf.pipeline != "":
		fmt.Fprintf(e.stderr, "mosaic %s: give --state or -p, not both\n", cmd)
		return nil, ExitUsage
	case *sf.pipeline != "":
		p, err := config.Load(*sf.pipeline)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return nil, ExitUsage
		}
		path = p.State
	case path == "":
		fmt.Fprintf(e.stderr, "mosaic %s: say which store: --state PATH or -p PIPELINE.yaml\n", cmd)
		return nil, ExitUsage
	}
	s, err := engine.Open(ctx, path, engine.Options{ReadOnly: true})
	if errors.Is(err, engine.ErrLocked) {
		if addr, token, ok := remote.Server(path); ok {
			db := remote.Open(addr, token)
			conn, err := db.Conn(ctx)
			if err != nil {
				db.Close()
				fmt.Fprintf(e.stderr, "mosaic %s: %v\n", cmd, err)
				return nil, ExitFailed
			}
			return &storeReader{db: db, conn: conn}, ExitOK
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic %s: %v\n", cmd, err)
		return nil, ExitFailed
	}
	return &storeReader{store: s, conn: s.Conn()}, ExitOK
}

// storeReader is a store opened for reading: the file itself, or the
// `mosaic serve` that holds it (store is nil then).
type storeReader struct {
	store *engine.Store
	db    *sql.DB
	conn  *sql.Conn
}

// Conn is the connection the commands query.
func (r *storeReader) Conn() *sql.Conn { return r.conn }

// CheckReadOnly refuses writes; a server checks its queries itself.
func (r *storeReader) CheckReadOnly(ctx context.Context, query string) error {
	if r.store == nil {
		return nil
	}
	return r.store.CheckReadOnly(ctx, query)
}

func (r *storeReader) Close() error {
	if r.store != nil {
		return r.store.Close()
	}
	return errors.Join(r.conn.Close(), r.db.Close())
}

func runSQL(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "sql")
	sf := addStoreFlags(fs)
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	s, code := sf.open(ctx, e, "sql")
	if s == nil {
		return code
	}
	defer s.Close()
	if err := s.CheckReadOnly(ctx, pos[0]); err != nil {
		fmt.Fprintf(e.stderr, "mosaic sql: %v\n", err)
		if errors.Is(err, engine.ErrWriteRefused) {
			return ExitUsage
		}
		return ExitFailed
	}
	if err := query(ctx, e, s, *sf.format, pos[0]); err != nil {
		fmt.Fprintf(e.stderr, "mosaic sql: %v\n", err)
		if errors.Is(err, engine.ErrWriteRefused) {
			return ExitUsage
		}
		return ExitFailed
	}
	return ExitOK
}

func runRuns(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "runs")
	sf := addStoreFlags(fs)
	limit := fs.Int("limit", 20, "show the newest `N` runs")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fs.Usage()
		return ExitUsage
	}
	s, code := sf.open(ctx, e, "runs")
	if s == nil {
		return code
	}
	defer s.Close()
	if err := query(ctx, e, s, *sf.format, sqlfiles.Get("cli/runs.sql"), *limit); err != nil {
		fmt.Fprintf(e.stderr, "mosaic runs: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}
