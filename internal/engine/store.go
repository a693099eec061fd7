// Package engine owns the DuckDB profile store: opening and locking it,
// migrating its schema, the run transaction, and staging feed data into it
// through Apache Arrow or DuckDB's own file readers.
package engine

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Options tell Open how to open a store.
type Options struct {
	// ReadOnly opens without the writer lock and refuses every write.
	ReadOnly bool
	// Command names the holder in the lock file ("mosaic run retail").
	Command string
	// Addr, for a holder that serves HTTP (`mosaic serve`), is where it
	// listens: the lock file tells the read commands where to ask.
	Addr   string
	Logger *slog.Logger
	// MemoryLimit is DuckDB's memory limit ("8GB", "512MB"); empty means
	// DefaultMemoryLimit. The engine reads no environment: the CLI sets it.
	MemoryLimit string
	// BatchChunk is how many batches a batch feed stages before it keeps
	// them and stages the next (FeedStage.Arrow); 0 means
	// DefaultBatchChunk. Tests set it small.
	BatchChunk int64
}

// Store is one open profile store. It keeps a single DuckDB connection:
// DuckDB has one writer, and the run transaction must see its own temp
// tables and registered Arrow views.
type Store struct {
	path      string
	connector driver.Connector
	db        *sql.DB
	conn      *sql.Conn
	readers   *sql.DB
	lock      *os.File
	log       *slog.Logger
	chunk     int64  // Options.BatchChunk
	memory    string // DuckDB's memory limit (Options.MemoryLimit)
}

// Open opens (creating if needed) the store at path and brings its schema up
// to date. A writer takes path+".lock" first and fails fast with ErrLocked
// naming the holder.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{path: path, log: log, chunk: cmp.Or(opts.BatchChunk, DefaultBatchChunk)}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store %s: %w (run the pipeline first, or check --state)", path, err)
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create store folder: %w", err)
		}
		lock, err := lockFile(path+".lock", Holder{Command: opts.Command, Addr: opts.Addr})
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", path, err)
		}
		s.lock = lock
	}
	if err := s.open(ctx, opts.ReadOnly, cmp.Or(opts.MemoryLimit, DefaultMemoryLimit)); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// StorageVersion is the DuckDB storage format a new store is written in.
// DuckDB's default (v1.0.0, readable by DuckDB 0.10 on) makes every
// checkpoint convert each changed primary key index to that format's
// layout in full: at 1M users the first checkpoint after a change to
// profiles took 0.27 s against 0.10 s with this one, which DuckDB 1.2 and
// later read. A store keeps the format it was created in.
const StorageVersion = "v1.2.0"

func (s *Store) open(ctx context.Context, readOnly bool, memoryLimit string) error {
	dsn := s.path + "?storage_compatibility_version=" + StorageVersion
	if readOnly {
		dsn = s.path + "?access_mode=READ_ONLY" // creates no file, so needs no format
	}
	connector, err := duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		_, err := execer.ExecContext(ctx, "SET TimeZone = 'UTC'", nil)
		return err
	})
	if err != nil {
		return s.openError(err)
	}
	s.connector = connector
	s.db = sql.OpenDB(connector)
	s.db.SetMaxOpenConns(1)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.openError(err)
	}
	s.conn = conn
	if err := s.migrate(ctx, readOnly); err != nil {
		return err
	}
	if !readOnly {
		if err := s.dropArrowLeftovers(ctx); err != nil {
			return err
		}
		if err := s.dropLeftoverStaging(ctx); err != nil {
			return err
		}
	}
	set, err := sqlfiles.Render("engine/memory_limit.sql.tmpl", memoryLimit)
	if err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, set); err != nil {
		return fmt.Errorf("open store %s: memory limit %q: %w (write a size such as 8GB or 512MB)", s.path, memoryLimit, err)
	}
	s.memory = memoryLimit
	macros, err := sqlfiles.File("engine/macros.sql", nil)
	if err != nil {
		return err
	}
	for _, m := range macros {
		if _, err := s.conn.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("open store %s: %w", s.path, m.Wrap(err))
		}
	}
	return nil
}

// dropArrowLeftovers drops the Arrow views older runs left in the store
// (sql/engine/arrow_leftovers.sql).
func (s *Store) dropArrowLeftovers(ctx context.Context) error {
	rows, err := s.conn.QueryContext(ctx, sqlfiles.Get("engine/arrow_leftovers.sql"))
	if err != nil {
		return fmt.Errorf("open store %s: engine/arrow_leftovers.sql: %w", s.path, err)
	}
	var views []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		views = append(views, v)
	}
	rows.Close()
	for _, v := range views {
		q, err := sqlfiles.Render("engine/drop_arrow_view.sql.tmpl", v)
		if err != nil {
			return err
		}
		if _, err := s.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("open store %s: drop the leftover view %s: %w", s.path, v, err)
		}
	}
	return nil
}

// DefaultMemoryLimit is DuckDB's memory limit unless Options.MemoryLimit
// says otherwise ("16GB", "512MB"). DuckDB's own default, 80% of the
// machine, leaves too little for the Go side of a big run (the identity
// kernel), and a run killed for memory helps no one: past the limit DuckDB
// spills to the store's .tmp folder instead.
const DefaultMemoryLimit = "8GB"

// DefaultBatchChunk bounds the batches a batch feed holds staged at once:
// 8,388,608, more than a 1M-user data set's web feed (6.5M batches), so
// that up to that size a read is kept in one go. At 10M
// users the web feed's 65M staged batches spilled 18 GB to disk within
// four minutes and were still growing.
const DefaultBatchChunk = 8 << 20

// openError explains DuckDB's own lock conflict (another program, such as
// the DuckDB CLI or a running `mosaic run`, has the file open) and a
// write-ahead log that does not replay.
func (s *Store) openError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock on file"):
		return fmt.Errorf("store %s: %w: held by %s; wait for it to finish or stop it (%v)", s.path, ErrLocked, readHolder(s.path+".lock"), err)
	case strings.Contains(msg, "replaying WAL"):
		// DuckDB appends an assertion notice and a stack trace: the first
		// line says what failed.
		first, _, _ := strings.Cut(msg, "\n")
		return fmt.Errorf("open store %s: its write-ahead log %s.wal does not apply to it: %s. If the store file was copied or replaced, that .wal belongs to the old file: remove it. Otherwise restore the store from a backup: %w",
			s.path, s.path, first, errWAL)
	}
	return fmt.Errorf("open store %s: %w", s.path, err)
}

// errWAL is matched by errors.Is when a store's write-ahead log does not
// replay.
var errWAL = errors.New("write-ahead log does not replay")

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// Conn is the store's single connection, for reads outside a run.
func (s *Store) Conn() *sql.Conn { return s.conn }

// Readers returns a pool of up to n connections that read the store as
// last committed while its own connection may be inside a run's
// transaction (DuckDB's MVCC in one process: a reader never sees a
// half-written run). The first call sets n; the pool closes with the
// store. Readers get no temporary macros: the public views need none.
func (s *Store) Readers(n int) *sql.DB {
	if s.readers == nil {
		// Wrapped, the connector does not close the database with the
		// pool: the store's own handle does that.
		s.readers = sql.OpenDB(struct{ driver.Connector }{s.connector})
		s.readers.SetMaxOpenConns(n)
		s.readers.SetMaxIdleConns(n)
	}
	return s.readers
}

// Close closes the store and releases its lock.
func (s *Store) Close() error {
	var errs []error
	if s.readers != nil {
		errs = append(errs, s.readers.Close())
	}
	if s.conn != nil {
		errs = append(errs, s.conn.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	errs = append(errs, unlockFile(s.lock))
	return errors.Join(errs...)
}

// LimitThreads bounds DuckDB's threads to n, for the whole database, until
// the returned function restores the default.
func (s *Store) LimitThreads(ctx context.Context, n int) (restore func(), err error) {
	stmts, err := sqlfiles.File("engine/threads.sql.tmpl", n)
	if err != nil {
		return nil, err
	}
	if _, err := s.conn.ExecContext(ctx, stmts[0].SQL); err != nil {
		return nil, stmts[0].Wrap(err)
	}
	return func() {
		if _, err := s.conn.ExecContext(context.WithoutCancel(ctx), sqlfiles.Get("engine/threads_reset.sql")); err != nil {
			s.log.Warn("could not give DuckDB back its threads", "err", err)
		}
	}, nil
}
