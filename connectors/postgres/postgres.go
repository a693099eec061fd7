// Package postgres reads feeds from PostgreSQL with pgx, in the binary
// protocol, streaming rows into Arrow record batches of bounded size.
//
// A feed reads a table (`table:`, optionally `schema:`) or the result of a
// query (`query:`). Only the columns the feed maps are read, and with a
// `cursor:` only rows whose cursor is greater than the last committed
// watermark (a query parameter), in cursor order. The connection string
// comes from the environment variable `dsn_env:` names; it never appears in
// logs or errors.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/mosaic-cdp/mosaic/connectors"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Config is a postgres feed's `source:` block.
type Config struct {
	// DSNEnv names the environment variable holding the connection string
	// (`postgres://user:password@host:5432/db?sslmode=require` or key=value).
	DSNEnv string `yaml:"dsn_env"`
	// Table is the table (or view) to read; Schema its schema (default: the
	// search path). Query reads the result of a SELECT instead.
	Table  string `yaml:"table"`
	Schema string `yaml:"schema"`
	Query  string `yaml:"query"`
}

// DefaultBatchRows is how many rows one Arrow record batch holds.
const DefaultBatchRows = 64 * 1024

// Source reads PostgreSQL tables and queries. It holds no connection
// between calls: each Read connects and disconnects.
type Source struct {
	// BatchRows is the most rows per record batch (DefaultBatchRows if 0).
	BatchRows int
}

// New returns the postgres source.
func New() *Source { return &Source{} }

// Validate checks the source block without connecting: `dsn_env:` and
// exactly one of `table:` and `query:`. It reads no environment variable:
// CheckEnv checks the one Read reads.
func (s *Source) Validate(req connectors.ValidateRequest) error {
	_, err := decode(req)
	return err
}

var _ connectors.SourceEnvChecker = (*Source)(nil)

// CheckEnv checks that the connection string's variable is set and
// parses, without connecting.
func (s *Source) CheckEnv(req connectors.ValidateRequest) error {
	c, err := decode(req)
	if err != nil {
		return err
	}
	return connectors.CheckSourceEnv(req, []connectors.EnvVar{dsnVar(c.DSNEnv)})
}

// dsnVar is the variable that `dsn_env:` names, which a feed's Read and an
// output's Open read: the connection string, which must parse.
func dsnVar(name string) connectors.EnvVar {
	return connectors.EnvVar{Key: "dsn_env", Name: name, What: "the PostgreSQL connection string (postgres://user:password@host:5432/db)", Check: func(dsn string) error {
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return errors.New("it does not parse as a connection string: " + redact(dsn, err))
		}
		return nil
	}}
}

func decode(req connectors.ValidateRequest) (Config, error) {
	var c Config
	raw := req.Source.Raw
	if err := raw.Decode(&c); err != nil {
		return c, err
	}
	switch {
	case c.DSNEnv == "":
		return c, raw.Errorf("kind", "feed %s: a postgres source needs `dsn_env:`, the name of the environment variable that holds the connection string (e.g. dsn_env: PG_DSN)", req.Feed)
	case c.Table == "" && c.Query == "":
		return c, raw.Errorf("kind", "feed %s: a postgres source needs `table:` or `query:`", req.Feed)
	case c.Table != "" && c.Query != "":
		return c, raw.Errorf("query", "feed %s: give `table:` or `query:`, not both", req.Feed)
	case c.Schema != "" && c.Table == "":
		return c, raw.Errorf("schema", "feed %s: `schema:` goes with `table:`; write the schema into the query instead", req.Feed)
	}
	return c, nil
}

// plan is one feed's read, resolved.
type plan struct {
	feed   string
	cfg    Config
	from   string // quoted table, or the query as a subquery
	what   string // the table or "the query", for messages
	cursor string
	dsn    string
}

func newPlan(req connectors.ValidateRequest, cursor string) (*plan, error) {
	c, err := decode(req)
	if err != nil {
		return nil, err
	}
	p := &plan{feed: req.Feed, cfg: c, cursor: cursor}
	if c.Table != "" {
		id := pgx.Identifier{c.Table}
		if c.Schema != "" {
			id = pgx.Identifier{c.Schema, c.Table}
		}
		p.from = id.Sanitize()
		p.what = "table " + strings.Join(id, ".")
	} else {
		p.from = "(" + strings.TrimRight(strings.TrimSpace(c.Query), "; \n\t") + ") AS mosaic_query"
		p.what = "the query"
	}
	env, err := connectors.ReadEnv([]connectors.EnvVar{dsnVar(c.DSNEnv)})
	if err != nil {
		return nil, err
	}
	p.dsn = env["dsn_env"]
	return p, nil
}

// connect opens one connection; its errors never carry the DSN.
func (p *plan) connect(ctx context.Context) (*pgconn.PgConn, error) {
	cfg, err := pgconn.ParseConfig(p.dsn)
	if err != nil {
		return nil, p.scrub(err, "the connection string in $%s does not parse: %s; fix the variable", p.cfg.DSNEnv)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "mosaic"
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, p.scrub(err, "cannot connect to PostgreSQL (connection string from $%s): %s; check the server is reachable and the variable's host, user and password", p.cfg.DSNEnv)
	}
	return conn, nil
}

// scrubbed is an error whose message had the DSN and its password removed;
// it still unwraps to the cause (for errors.Is(err, context.Canceled)).
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// scrub formats format (whose last %s is err's message) as an error
// naming the feed, with the DSN and its password cut out.
func (p *plan) scrub(err error, format string, args ...any) error {
	msg := redact(p.dsn, err)
	return &scrubbed{msg: fmt.Sprintf("feed %s: "+format, append([]any{p.feed}, append(args, msg)...)...), err: err}
}

// redact returns err's message with the DSN and its password cut out, on
// one line; for a server's error, its message and detail alone.
func redact(dsn string, err error) string {
	msg := err.Error()
	if pce := (*pgconn.ParseConfigError)(nil); errors.As(err, &pce) {
		// "cannot parse `<the DSN, password masked>`: why": keep the why.
		if _, why, ok := strings.Cut(msg, "`: "); ok {
			msg = why
		}
	}
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) {
		msg = pe.Message
		if pe.Detail != "" {
			msg += " (" + pe.Detail + ")"
		}
	}
	secrets := []string{dsn}
	if cfg, perr := pgconn.ParseConfig(dsn); perr == nil && cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return strings.Join(strings.Fields(msg), " ") // pgconn's messages span lines
}

// render renders a sql/postgres template for this plan.
func (p *plan) render(name string, columns []string, where bool) (string, error) {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	data := map[string]any{"From": p.from, "Columns": strings.Join(quoted, ", "), "Where": where && p.cursor != "", "Cursor": ""}
	if p.cursor != "" {
		data["Cursor"] = pgx.Identifier{p.cursor}.Sanitize()
	}
	return sqlfiles.Render(name, data)
}

// describe lists the columns of the table or query, or says why it cannot.
func (p *plan) describe(ctx context.Context, conn *pgconn.PgConn) ([]pgconn.FieldDescription, error) {
	q, err := p.render("postgres/describe.sql.tmpl", nil, false)
	if err != nil {
		return nil, err
	}
	sd, err := conn.Prepare(ctx, "", q, nil)
	if err != nil {
		return nil, p.queryError(err)
	}
	return sd.Fields, nil
}

// queryError explains a failed statement.
func (p *plan) queryError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "42P01": // undefined_table
			return p.scrub(err, "%s does not exist in PostgreSQL: %s; create it, or fix `table:`/`schema:` (or the search path)", p.what)
		case "3F000": // invalid_schema_name
			return p.scrub(err, "the schema of %s does not exist: %s; fix `schema:`", p.what)
		case "42501": // insufficient_privilege
			return p.scrub(err, "PostgreSQL refused to read %s: %s; GRANT SELECT to the user in $%s", p.what, p.cfg.DSNEnv)
		case "42601": // syntax_error
			return p.scrub(err, "%s is not valid SQL: %s; fix `query:`", p.what)
		}
	}
	return p.scrub(err, "reading %s failed: %s", p.what)
}

// columns checks that wanted columns exist (naming those that do not, and
// what there is) and returns them, sorted, without duplicates.
func (p *plan) columns(fields []pgconn.FieldDescription, wanted []string) ([]string, error) {
	have := make([]string, len(fields))
	for i, f := range fields {
		have[i] = f.Name
	}
	var cols, missing []string
	for _, c := range append(slices.Clone(wanted), p.cursor) {
		switch {
		case c == "" || slices.Contains(cols, c):
		case slices.Contains(have, c):
			cols = append(cols, c)
		default:
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("feed %s: %s has no column %s (it has: %s); fix the feed's mapping or the source", p.feed, p.what, quoteList(missing), strings.Join(have, ", "))
	}
	slices.Sort(cols)
	return cols, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// Read streams the feed's new rows to the sink as Arrow record batches.
// It returns no state: the watermark the engine keeps is the state.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.Sink) (json.RawMessage, error) {
	p, err := newPlan(req.ValidateRequest, req.Cursor)
	if err != nil {
		return nil, err
	}
	conn, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	fields, err := p.describe(ctx, conn)
	if err != nil {
		return nil, p.ctxFirst(ctx, err)
	}
	cols, err := p.columns(fields, req.Columns)
	if err != nil {
		return nil, err
	}
	q, err := p.render("postgres/select.sql.tmpl", cols, req.Watermark != "")
	if err != nil {
		return nil, err
	}
	sd, err := conn.Prepare(ctx, "", q, nil)
	if err != nil {
		return nil, p.ctxFirst(ctx, p.queryError(err))
	}
	types := pgtype.NewMap()
	read := make([]column, len(sd.Fields))
	formats := make([]int16, len(sd.Fields))
	for i, fd := range sd.Fields {
		read[i] = columnFor(fd, types)
		if read[i].Binary {
			formats[i] = pgtype.BinaryFormatCode
		}
	}
	var params [][]byte
	if len(sd.ParamOIDs) == 1 {
		params = [][]byte{[]byte(req.Watermark)}
	}
	rr := conn.ExecPrepared(ctx, "", params, nil, formats)
	batch := s.BatchRows
	if batch <= 0 {
		batch = DefaultBatchRows
	}
	rdr := newReader(ctx, rr, read, batch)
	defer rdr.Release()
	// The reader watches ctx and ends the stream when it is done; DuckDB is
	// not interrupted mid-scan (see reader).
	err = sink.Arrow(context.WithoutCancel(ctx), rdr)
	if rows, ferr := rdr.failure(); ferr != nil {
		return nil, p.ctxFirst(ctx, p.scrub(ferr, "reading %s from PostgreSQL failed after %d rows: %s; nothing of this run is kept: fix the cause (a broken connection, a server restart) and run again", p.what, rows))
	}
	if err != nil {
		return nil, p.ctxFirst(ctx, fmt.Errorf("feed %s: staging rows from PostgreSQL: %w", p.feed, err))
	}
	return nil, nil
}

// ctxFirst reports a cancelled or expired context as such, whatever error
// the cancellation caused on the way.
func (p *plan) ctxFirst(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("feed %s: read cancelled (%w): %v", p.feed, ctxErr, err)
	}
	return err
}
