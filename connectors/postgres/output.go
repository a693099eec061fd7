package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// OutputConfig is a postgres output's own keys.
type OutputConfig struct {
	// DSNEnv names the environment variable holding the connection string.
	DSNEnv string `yaml:"dsn_env"`
	// Table is the table the records go to, created when missing with the
	// record key as its primary key; Schema its schema (default: the
	// search path's first).
	Table  string `yaml:"table"`
	Schema string `yaml:"schema"`
}

// Destination writes an output's records into a PostgreSQL table: one
// row per record key, one column per field. Each batch is copied into a
// temporary table and merged in one transaction: added and changed
// records by INSERT … ON CONFLICT (key) DO UPDATE, removed ones (mirror)
// by DELETE of their keys, so rows that mosaic never delivered are never
// touched. Column types follow the field's source: mpid bigint, identity
// text, attribute jsonb (a value keeps its JSON type), audience boolean,
// profile times timestamptz; an audience output's table has audience,
// mpid and identities (jsonb).
type Destination struct{}

// NewDestination returns the postgres destination.
func NewDestination() *Destination { return &Destination{} }

// DefaultBatchSize is the batch size of a postgres output that sets none:
// one transaction per 10,000 records.
func (d *Destination) DefaultBatchSize() int { return 10000 }

func decodeOutput(req connectors.OutputRequest) (OutputConfig, error) {
	var c OutputConfig
	raw := req.Output.Raw
	if err := raw.Decode(&c); err != nil {
		return c, err
	}
	switch {
	case c.DSNEnv == "":
		return c, raw.Errorf("kind", "output %s: a postgres output needs `dsn_env:`, the name of the environment variable that holds the connection string (e.g. dsn_env: PG_DSN)", req.Output.Name)
	case c.Table == "":
		return c, raw.Errorf("kind", "output %s: a postgres output needs `table:`, the table its records go to (created when missing)", req.Output.Name)
	}
	return c, nil
}

// Validate checks the output's keys without connecting.
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := decodeOutput(req)
	return err
}

// outputEnvVars are the environment variables Open reads: the connection
// string, as a feed's (dsnVar).
func outputEnvVars(c OutputConfig) []connectors.EnvVar {
	return []connectors.EnvVar{dsnVar(c.DSNEnv)}
}

// CheckEnv checks that the connection string's variable is set and
// parses, without connecting.
func (d *Destination) CheckEnv(req connectors.OutputRequest) error {
	c, err := decodeOutput(req)
	if err != nil {
		return err
	}
	return connectors.CheckEnv(req.Output, outputEnvVars(c))
}

// outColumn is one field's column.
type outColumn struct {
	Name, Ident, Lit, Type string
}

// outColumns returns the output's field columns in order.
func outColumns(o config.Output, fields []string) []outColumn {
	var cols []outColumn
	for _, f := range fields {
		typ := "text"
		switch kind, _, _ := strings.Cut(o.Fields[f], "."); {
		case o.Send == config.SendAudience && f == "mpid", kind == "mpid":
			typ = "bigint"
		case o.Send == config.SendAudience && f == "identities", kind == "attribute":
			typ = "jsonb"
		case kind == "audience":
			typ = "boolean"
		case kind == "profile":
			typ = "timestamptz"
		}
		cols = append(cols, outColumn{Name: f, Ident: pgx.Identifier{f}.Sanitize(), Lit: "'" + strings.ReplaceAll(f, "'", "''") + "'", Type: typ})
	}
	return cols
}

// Open connects and makes sure the table exists with a column per field.
func (d *Destination) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	c, err := decodeOutput(req)
	if err != nil {
		return nil, err
	}
	env, err := connectors.ReadEnv(outputEnvVars(c))
	if err != nil {
		return nil, err
	}
	dsn := env["dsn_env"]
	w := &pgWriter{dsn: dsn, env: c.DSNEnv, skip: req.Output.Nulls != config.NullsSend}
	w.table = pgx.Identifier{c.Table}
	if c.Schema != "" {
		w.table = pgx.Identifier{c.Schema, c.Table}
	}
	w.cols = outColumns(req.Output, req.Fields)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, w.scrub(err, "the connection string in $%s does not parse: %s; fix the variable", c.DSNEnv)
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "mosaic"
	}
	for range connections {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			w.Close()
			return nil, w.scrub(err, "cannot connect to PostgreSQL (connection string from $%s): %s; check the server is reachable and the variable's host, user and password", c.DSNEnv)
		}
		w.conns = append(w.conns, conn)
	}
	if err := w.prepare(ctx, c); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// connections is how many connections a postgres output writes on: a batch
// of more than minSplit records is split between them and merged in
// parallel transactions, so that the server uses more than one core.
const (
	connections = 2
	minSplit    = 1000
)

type pgWriter struct {
	dsn, env string
	conns    []*pgx.Conn
	table    pgx.Identifier
	cols     []outColumn
	skip     bool
	merge    string
	delete   string
}

// prepare creates the table when missing, checks its columns, and renders
// the merge.
func (w *pgWriter) prepare(ctx context.Context, c OutputConfig) error {
	data := map[string]any{"Table": w.table.Sanitize(), "Columns": w.cols, "Skip": w.skip}
	create, err := sqlfiles.Render("postgres/out_create.sql.tmpl", data)
	if err != nil {
		return err
	}
	conn := w.conns[0]
	if _, err := conn.Exec(ctx, create); err != nil {
		return w.scrub(err, "create table %s: %s", strings.Join(w.table, "."))
	}
	rows, err := conn.Query(ctx, sqlfiles.Get("postgres/out_columns.sql"), c.Schema, c.Table)
	if err != nil {
		return w.scrub(err, "read the columns of %s: %s", strings.Join(w.table, "."))
	}
	have, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return w.scrub(err, "read the columns of %s: %s", strings.Join(w.table, "."))
	}
	var missing []string
	for _, col := range append([]outColumn{{Name: "key"}}, w.cols...) {
		if !slices.Contains(have, col.Name) {
			missing = append(missing, col.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("table %s exists without the columns %s (it has: %s); add them (ALTER TABLE … ADD COLUMN) or point `table:` at a new table",
			strings.Join(w.table, "."), strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	for _, conn := range w.conns {
		if _, err := conn.Exec(ctx, sqlfiles.Get("postgres/out_temp.sql")); err != nil {
			return w.scrub(err, "create the batch table: %s")
		}
	}
	if w.merge, err = sqlfiles.Render("postgres/out_merge.sql.tmpl", data); err != nil {
		return err
	}
	w.delete, err = sqlfiles.Render("postgres/out_delete.sql.tmpl", data)
	return err
}

// Write merges the batch: in one transaction, or, past minSplit records,
// in one transaction a connection, each over its share. A share the server
// rejects for its data is split in halves until the bad records are
// isolated; a share that fails otherwise fails its records.
func (w *pgWriter) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	n := len(b.Records)
	errs := make([]error, n)
	parts := max(1, min(len(w.conns), n/minSplit))
	// A share holds whole keys (by a hash of the key), in the batch's
	// order: a key's removal and its new record stay in one transaction.
	shares := make([][]int, parts)
	for i, r := range b.Records {
		h := fnv.New32a()
		h.Write([]byte(r.Key))
		s := int(h.Sum32() % uint32(parts))
		shares[s] = append(shares[s], i)
	}
	failed := make([]error, parts)
	var wg sync.WaitGroup
	for s := range parts {
		wg.Go(func() {
			recs := make([]connectors.Record, len(shares[s]))
			shareErrs := make([]error, len(shares[s]))
			for j, i := range shares[s] {
				recs[j] = b.Records[i]
			}
			failed[s] = w.split(ctx, w.conns[s], recs, shareErrs)
			for j, i := range shares[s] {
				errs[i] = shareErrs[j]
			}
		})
	}
	wg.Wait()
	for s, err := range failed {
		if err == nil {
			continue
		}
		if parts == 1 || errors.Is(err, context.Canceled) {
			return nil, err
		}
		for _, i := range shares[s] {
			errs[i] = err
		}
	}
	return errs, nil
}

func (w *pgWriter) split(ctx context.Context, conn *pgx.Conn, recs []connectors.Record, errs []error) error {
	err := w.write(ctx, conn, recs)
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) || (pe.SQLState()[:2] != "22" && pe.SQLState()[:2] != "23") {
		return err
	}
	// A data exception (22) or a constraint violation (23): a record's
	// values are at fault.
	if len(recs) == 1 {
		errs[0] = &connectors.RecordError{Msg: "PostgreSQL refused the record: " + redact(w.dsn, err)}
		return nil
	}
	half := len(recs) / 2
	if err := w.split(ctx, conn, recs[:half], errs[:half]); err != nil {
		return err
	}
	return w.split(ctx, conn, recs[half:], errs[half:])
}

func (w *pgWriter) write(ctx context.Context, conn *pgx.Conn, recs []connectors.Record) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return w.scrub(err, "begin: %s")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	rows := make([][]any, len(recs))
	removes := 0
	for i, r := range recs {
		rows[i] = []any{r.Op, r.Key, string(r.Fields)}
		if r.Op == connectors.OpRemove {
			removes++
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"mosaic_batch"}, []string{"op", "key", "fields"}, pgx.CopyFromRows(rows)); err != nil {
		return w.keep(err, "copy the batch: %s")
	}
	// Each statement runs only when the batch has its kind of record: the
	// planner knows nothing of the temporary table and may scan the whole
	// target for an empty semi-join. Removes go first: a changed audience
	// record comes as the removal of what it replaces, then the record.
	if removes > 0 {
		if _, err := tx.Exec(ctx, w.delete); err != nil {
			return w.keep(err, "delete from "+strings.Join(w.table, ".")+": %s")
		}
	}
	if removes < len(recs) {
		if _, err := tx.Exec(ctx, w.merge); err != nil {
			return w.keep(err, "merge into "+strings.Join(w.table, ".")+": %s")
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return w.keep(err, "commit: %s")
	}
	return nil
}

// keep is scrub for errors whose PgError split must still see.
func (w *pgWriter) keep(err error, format string) error {
	return &scrubbed{msg: fmt.Sprintf(format, redact(w.dsn, err)), err: err}
}

func (w *pgWriter) scrub(err error, format string, args ...any) error {
	return &scrubbed{msg: fmt.Sprintf(format, append(args, redact(w.dsn, err))...), err: err}
}

// Close disconnects.
func (w *pgWriter) Close() error {
	var errs []error
	for _, c := range w.conns {
		errs = append(errs, c.Close(context.Background()))
	}
	return errors.Join(errs...)
}
