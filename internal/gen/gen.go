// Package gen writes a realistic synthetic retail data set: website traffic
// as mParticle Events API batches (NDJSON, one batch of one event per line,
// read by a `format: batch` feed), app traffic (batches too), a CRM table
// and purchases,
// plus a pipeline.yaml that reads them. It backs `mosaic gen`, the
// quickstart and the benchmarks.
//
// Every file is written by an in-memory DuckDB with COPY (SELECT ... FROM
// range(n)) TO ...: columnar, no Go row loops. Every random choice is a hash
// of (seed, row or person number, salt), so the same Users and Seed give
// byte-identical files, and all times lie in the 90 days before a fixed
// anchor (2026-06-01T00:00:00Z), never the wall clock. The SQL lives in
// sql/gen/*.sql.tmpl.
//
// How the volumes add up for Users = N = 1,000,000 (measured values in
// brackets). People 0..0.7N-1 are registered customers; the other 0.3N never
// register.
//
//	file           rows                        identity values per row                  values
//	crm.parquet    0.7N + 5% late  [735,199]   customer_id + email + 0.85 mobile        [2.08M]
//	web.ndjson     6.5N            [6.5M]      cookie + 0.28 (customer_id + email):     [10.15M]
//	                                           70% of rows are registered people's,
//	                                           40% of those are logged in
//	app.ndjson     1.9N + ~110 per shared      device + 0.35 customer_id:               [2.71M]
//	               device          [2,009,587] 70% registered people's, 50% of those
//	purchases.csv  0.8N            [800,000]   customer_id + 0.92 email                 [1.54M]
//	total                                                                               [16.47M]
//
// Distinct raw values [5.58M]: 0.7M customer ids, 1.52M email spellings (0.7M
// addresses once trimmed and lower-cased), 0.59M mobile numbers, 1.86M web
// cookies (1-3 per person, ~6.5 visits per person, so a few are never seen)
// and 0.91M app devices (people with an app row, 15% of them with two
// phones, plus N/1000 shared devices). 4.76M after normalisation. At 1M users
// Generate takes ~30-55 s on 2 cores and writes ~3.25 GB (web.ndjson is
// 3.08 GB, ~475 bytes a batch).
package gen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	// The DuckDB driver, registered as "duckdb".
	_ "github.com/duckdb/duckdb-go/v2"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Options says how much to generate and where.
type Options struct {
	// Users is the number of people; at least MinUsers.
	Users int
	// Out is the folder the files are written to; it is created if missing
	// and files of the same names in it are replaced.
	Out string
	// Seed picks the data set: the same Users and Seed give identical files.
	Seed int64
}

// FileSummary describes one written file.
type FileSummary struct {
	// Path is relative to Options.Out.
	Path string
	// Rows counts data rows (0 for pipeline.yaml).
	Rows  int64
	Bytes int64
}

// Summary describes one Generate call.
type Summary struct {
	Files   []FileSummary
	Elapsed time.Duration
}

// MinUsers is the smallest Users that Generate accepts.
const MinUsers = 10

// Anchor is the end of the generated time window; every timestamp lies in
// the Window before it.
var Anchor = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)

// Window is how far back from Anchor the generated timestamps go.
const Window = 90 * 24 * time.Hour

// File names, relative to Options.Out.
const (
	CRMFile       = "crm.parquet"
	WebFile       = "web.ndjson"
	AppFile       = "app.ndjson"
	PurchasesFile = "purchases.csv"
	PipelineFile  = "pipeline.yaml"
)

// params is the data the SQL templates render with. Only numbers and the
// output path (through lit) go into the SQL.
type params struct {
	Seed      int64
	Users     int64
	Customers int64 // people 0..Customers-1 are registered
	Prospects int64 // people Customers..Users-1 never register
	Anchor    int64 // epoch seconds
	Span      int64 // seconds
	Rows      int64 // rows of the file being written (before filters)
	Kiosks    int64 // shared devices in the app file
	Path      string
}

// output is one data file and the template that writes it.
type output struct {
	file     string
	template string
	rows     func(users int64) int64
}

// outputs lists the data files in the order they are written. The rows
// functions hold the volumes described in the package comment.
var outputs = []output{
	{CRMFile, "gen/crm.sql.tmpl", func(n int64) int64 { return customers(n) }},
	{WebFile, "gen/web.sql.tmpl", func(n int64) int64 { return n * 13 / 2 }},
	{AppFile, "gen/app.sql.tmpl", func(n int64) int64 { return n * 19 / 10 }},
	{PurchasesFile, "gen/purchases.sql.tmpl", func(n int64) int64 { return n * 8 / 10 }},
}

const macrosTemplate = "gen/macros.sql.tmpl"

func customers(users int64) int64 { return users * 7 / 10 }

// kiosks is the number of shared devices: about 0.1% of all devices.
func kiosks(users int64) int64 { return max(1, users/1000) }

// Generate writes the data set and its pipeline.yaml into opts.Out. Each
// file is written under a temporary name and renamed into place, so a
// failed or cancelled call leaves no half-written file under a final name.
func Generate(ctx context.Context, opts Options) (Summary, error) {
	start := time.Now()
	if opts.Users < MinUsers {
		return Summary{}, fmt.Errorf("gen: users must be at least %d, got %d", MinUsers, opts.Users)
	}
	if opts.Out == "" {
		return Summary{}, errors.New("gen: the output folder is required")
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return Summary{}, fmt.Errorf("gen: output folder %q: %w", opts.Out, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Summary{}, fmt.Errorf("gen: create output folder: %w", err)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		return Summary{}, fmt.Errorf("gen: open in-memory DuckDB: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("gen: connect to in-memory DuckDB: %w", err)
	}
	defer conn.Close()

	n := int64(opts.Users)
	p := params{
		Seed:      opts.Seed,
		Users:     n,
		Customers: customers(n),
		Prospects: n - customers(n),
		Anchor:    Anchor.Unix(),
		Span:      int64(Window / time.Second),
		Kiosks:    kiosks(n),
	}
	if err := run(ctx, conn, macrosTemplate, p); err != nil {
		return Summary{}, err
	}

	var sum Summary
	for _, o := range outputs {
		p.Rows = o.rows(n)
		fs, err := write(ctx, conn, out, o, p)
		if err != nil {
			return Summary{}, err
		}
		sum.Files = append(sum.Files, fs)
	}
	fs, err := writePipeline(out, opts)
	if err != nil {
		return Summary{}, err
	}
	sum.Files = append(sum.Files, fs)
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// write renders o's template for a temporary path, runs it, and renames the
// file into place.
func write(ctx context.Context, conn *sql.Conn, out string, o output, p params) (FileSummary, error) {
	final := filepath.Join(out, o.file)
	p.Path = final + ".tmp"
	q, err := sqlfiles.Render(o.template, p)
	if err != nil {
		return FileSummary{}, fmt.Errorf("gen: %s: %w", o.file, err)
	}
	res, err := conn.ExecContext(ctx, q)
	if err != nil {
		os.Remove(p.Path)
		return FileSummary{}, fmt.Errorf("gen: write %s (%s): %w", final, o.template, err)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		os.Remove(p.Path)
		return FileSummary{}, fmt.Errorf("gen: count rows of %s: %w", final, err)
	}
	if err := os.Rename(p.Path, final); err != nil {
		os.Remove(p.Path)
		return FileSummary{}, fmt.Errorf("gen: %w", err)
	}
	st, err := os.Stat(final)
	if err != nil {
		return FileSummary{}, fmt.Errorf("gen: %w", err)
	}
	return FileSummary{Path: o.file, Rows: rows, Bytes: st.Size()}, nil
}

// run renders and executes a template that writes no file.
func run(ctx context.Context, conn *sql.Conn, name string, p params) error {
	q, err := sqlfiles.Render(name, p)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("gen: run %s: %w", name, err)
	}
	return nil
}
