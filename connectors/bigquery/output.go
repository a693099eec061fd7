package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// OutputConfig is a bigquery output's own keys.
type OutputConfig struct {
	// Project, Dataset and Table name the table the records go to; it is
	// created when missing (the dataset must exist). Project also runs the
	// load and query jobs.
	Project string `yaml:"project"`
	Dataset string `yaml:"dataset"`
	Table   string `yaml:"table"`
	// Location is where the jobs run (`US`, `EU`, `europe-west1`);
	// BigQuery picks it from the dataset when empty.
	Location string `yaml:"location"`
	// CredentialsFile is the path of a service-account key file (relative
	// to the pipeline file's folder). Without it and without an endpoint,
	// Application Default Credentials are used.
	CredentialsFile string `yaml:"credentials_file"`
	// Endpoint is the REST API's address (host:port or http(s) URL), for
	// an emulator or a private endpoint; EndpointEnv names an environment
	// variable holding it instead (unset or empty: the real API).
	Endpoint    string `yaml:"endpoint"`
	EndpointEnv string `yaml:"endpoint_env"`
}

// Destination writes an output's records into a BigQuery table: one row
// per record key (column `key`), one column per field.
//
// Open creates the table when missing, typed from each field's source:
// mpid INT64, identity STRING, attribute JSON (a value keeps its JSON
// type), audience BOOL, profile times TIMESTAMP; an audience output's
// table has audience STRING, mpid INT64 and identities JSON. A table that
// exists must have those columns with those types. Open also makes sure of
// the output's staging table beside it (`<table>_mosaic_stage_<output>`).
// It is kept, and emptied at the end of each sync rather than dropped:
// the emulator leaks about 200 MB on every DROP TABLE and dies past 2 GB.
// Two pipelines whose outputs have the same name must not write the same
// table at the same time: they would share that staging table.
//
// Each Write loads the batch into the staging table with a load job from
// newline-delimited JSON (WRITE_TRUNCATE: the load itself replaces the
// previous batch, atomically, so the staging table never holds more than
// the batch being merged and is emptied once a sync, not once a batch),
// then merges it into the table with one MERGE:
// a removed record (mirror) deletes its key's row, any other updates or
// inserts it. Only keys that mosaic delivers are ever touched, so rows of
// other writers stay. Under `nulls: skip` a field left out of a record
// keeps the table's value (COALESCE). Records whose values do not fit
// their column (a text where INT64 is due) are rejected one by one before
// anything is sent.
//
// Load jobs and DML are used rather than the streaming API because rows
// streamed into a table cannot be updated or deleted for a while (its
// streaming buffer), which the per-batch merge needs.
//
// The BigQuery emulator (goccy/bigquery-emulator, used by the tests) runs
// this same path: it has the JSON type, load jobs with WRITE_TRUNCATE,
// and MERGE from a table. Its MERGE runs each WHEN clause as a statement
// of its own, which is why every clause here carries its own condition on
// op (also sound, and equivalent, on BigQuery).
type Destination struct{}

// NewDestination returns the bigquery destination.
func NewDestination() *Destination { return &Destination{} }

// DefaultBatchSize is the batch size of a bigquery output that sets none:
// each batch costs a load job and a MERGE (seconds each on BigQuery, and
// load jobs are limited per table and day), so batches are large.
func (d *Destination) DefaultBatchSize() int { return 10000 }

var (
	labelUnsafe = regexp.MustCompile(`[^a-z0-9_-]`)
	datasetRE   = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	projectRE   = regexp.MustCompile(`^[a-z][a-z0-9.:-]{3,127}$`)
)

func decodeOutput(req connectors.OutputRequest) (OutputConfig, error) {
	var c OutputConfig
	raw := req.Output.Raw
	if err := raw.Decode(&c); err != nil {
		return c, err
	}
	name := req.Output.Name
	switch {
	case c.Project == "":
		return c, raw.Errorf("kind", "output %s: a bigquery output needs `project:`, the project that holds the dataset and runs the jobs", name)
	case c.Dataset == "":
		return c, raw.Errorf("kind", "output %s: a bigquery output needs `dataset:`, the dataset of its table (it must exist)", name)
	case c.Table == "":
		return c, raw.Errorf("kind", "output %s: a bigquery output needs `table:`, the table its records go to (created when missing)", name)
	case !projectRE.MatchString(c.Project):
		return c, raw.Errorf("project", "output %s: %q is not a BigQuery project ID (lower-case letters, digits and dashes, as in my-project-123)", name, c.Project)
	case !datasetRE.MatchString(c.Dataset) || len(c.Dataset) > 1024:
		return c, raw.Errorf("dataset", "output %s: %q is not a BigQuery dataset name (letters, digits and _ only)", name, c.Dataset)
	case strings.ContainsAny(c.Table, ".`") || len(c.Table) > 1024:
		return c, raw.Errorf("table", "output %s: %q is not a table name: give the dataset in `dataset:` and the table alone here", name, c.Table)
	case c.Endpoint != "" && c.EndpointEnv != "":
		return c, raw.Errorf("endpoint_env", "output %s: give either `endpoint:` or `endpoint_env:`, not both", name)
	}
	if c.Endpoint != "" {
		u, err := endpointURL(c.Endpoint)
		if err != nil {
			return c, raw.Errorf("endpoint", "output %s: %v", name, err)
		}
		c.Endpoint = u
	}
	return c, nil
}

// Validate checks the output's keys without connecting or reading the
// environment (endpoint_env and the credentials file are read by Open).
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := decodeOutput(req)
	return err
}

// outColumn is one field's column.
type outColumn struct {
	Name  string             // the field's name
	Ident string             // its column, quoted
	Type  bigquery.FieldType // the table's column type
	JSON  bool               // staged as JSON text, PARSE_JSON in the merge
}

// outColumns returns the output's field columns in order.
func outColumns(o config.Output, fields []string) []outColumn {
	var cols []outColumn
	for _, f := range fields {
		typ := bigquery.StringFieldType
		switch kind, _, _ := strings.Cut(o.Fields[f], "."); {
		case o.Send == config.SendAudience && f == "mpid", kind == "mpid":
			typ = bigquery.IntegerFieldType
		case o.Send == config.SendAudience && f == "identities", kind == "attribute":
			typ = bigquery.JSONFieldType
		case kind == "audience":
			typ = bigquery.BooleanFieldType
		case kind == "profile":
			typ = bigquery.TimestampFieldType
		}
		cols = append(cols, outColumn{Name: f, Ident: Ident(f), Type: typ, JSON: typ == bigquery.JSONFieldType})
	}
	return cols
}

// Open connects, makes sure the table exists with a column per field, and
// makes sure of the output's staging table.
func (d *Destination) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	c, err := decodeOutput(req)
	if err != nil {
		return nil, err
	}
	env, err := connectors.ReadEnv(outputEnvVars(c))
	if err != nil {
		return nil, err
	}
	if v := env["endpoint_env"]; v != "" {
		c.Endpoint, _ = endpointURL(v) // ReadEnv checked it
	}
	if c.CredentialsFile != "" {
		if req.Resolve != nil {
			c.CredentialsFile = req.Resolve(c.CredentialsFile)
		}
		if _, err := os.Stat(c.CredentialsFile); err != nil {
			return nil, fmt.Errorf("cannot read the service-account key file %s (credentials_file): %v", c.CredentialsFile, unwrapPathError(err))
		}
	}
	off := false
	client, err := newClient(ctx, Config{Project: c.Project, Location: c.Location, Endpoint: c.Endpoint, CredentialsFile: c.CredentialsFile, StorageRead: &off}, nil)
	if err != nil {
		return nil, fmt.Errorf("bigquery %s.%s.%s: %w", c.Project, c.Dataset, c.Table, err)
	}
	timeout := time.Duration(req.Output.Timeout)
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	w := &bqWriter{
		client: client, name: req.Output.Name, timeout: timeout,
		where: c.Project + "." + c.Dataset + "." + c.Table,
		cols:  outColumns(req.Output, req.Fields),
		skip:  req.Output.Nulls != config.NullsSend,
	}
	w.table = client.DatasetInProject(c.Project, c.Dataset).Table(c.Table)
	if err := w.prepare(ctx, c); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

type bqWriter struct {
	client  *bigquery.Client
	name    string // the output's
	where   string // project.dataset.table
	table   *bigquery.Table
	stage   *bigquery.Table
	dirty   bool // the staging table may hold a batch
	empty   string
	cols    []outColumn
	skip    bool
	timeout time.Duration
	merge   string
}

// errorf prefixes a message with the output's table, and ends it
// with a hint at the fix when the error suggests one; err is redacted.
func (w *bqWriter) errorf(err error, format string, args ...any) error {
	hint := ""
	switch {
	case isStatus(err, http.StatusUnauthorized), isStatus(err, http.StatusForbidden):
		hint = " (check the credentials: they need bigquery.tables.get, tables.create, tables.delete, tables.updateData and jobs.create on the dataset)"
	case errors.Is(err, context.DeadlineExceeded):
		hint = fmt.Sprintf(" (BigQuery did not answer in time; the output's `timeout:`, now %s, bounds each step)", w.timeout)
	}
	return fmt.Errorf("bigquery %s: %s: %w%s", w.where, fmt.Sprintf(format, args...), redact(err), hint)
}

// prepare creates the table when missing, checks its columns, creates the
// staging table and renders the merge.
func (w *bqWriter) prepare(ctx context.Context, c OutputConfig) error {
	ctx, cancel := context.WithTimeout(ctx, 2*w.timeout)
	defer cancel()
	schema := bigquery.Schema{{Name: "key", Type: bigquery.StringFieldType, Required: true}}
	for _, col := range w.cols {
		schema = append(schema, &bigquery.FieldSchema{Name: col.Name, Type: col.Type})
	}
	md, err := w.table.Metadata(ctx)
	if isStatus(err, http.StatusNotFound) {
		err = w.table.Create(ctx, &bigquery.TableMetadata{Schema: schema, Description: "Records of mosaic output " + w.name + ", one row per key."})
		switch {
		case isStatus(err, http.StatusNotFound):
			return w.errorf(err, "the dataset %s does not exist in project %s; create it (bq mk --dataset %s:%s) or fix `dataset:`", c.Dataset, c.Project, c.Project, c.Dataset)
		case err != nil && !isStatus(err, http.StatusConflict):
			return w.errorf(err, "create the table")
		}
		md, err = w.table.Metadata(ctx)
	}
	if err != nil {
		return w.errorf(err, "read the table's schema")
	}
	if err := w.checkSchema(md.Schema, schema); err != nil {
		return err
	}
	if err := w.createStage(ctx, c); err != nil {
		return err
	}
	data := map[string]any{
		"Table":   Ident(c.Project) + "." + Ident(c.Dataset) + "." + Ident(c.Table),
		"Stage":   Ident(c.Project) + "." + Ident(c.Dataset) + "." + Ident(w.stage.TableID),
		"Columns": w.cols, "Skip": w.skip,
	}
	if w.merge, err = sqlfiles.Render("bigquery/out_merge.sql.tmpl", data); err != nil {
		return err
	}
	w.empty, err = sqlfiles.Render("bigquery/out_empty.sql.tmpl", data)
	return err
}

// checkSchema says which of the needed columns the table lacks or has
// with another type. BigQuery's column names are case-insensitive.
func (w *bqWriter) checkSchema(have, want bigquery.Schema) error {
	var missing, add, wrong, names []string
	for _, f := range have {
		names = append(names, f.Name)
	}
	for _, f := range want {
		var got *bigquery.FieldSchema
		for _, h := range have {
			if strings.EqualFold(h.Name, f.Name) {
				got = h
			}
		}
		switch {
		case got == nil:
			missing = append(missing, f.Name)
			add = append(add, "ADD COLUMN "+Ident(f.Name)+" "+string(f.Type))
		case got.Type != f.Type:
			wrong = append(wrong, fmt.Sprintf("%s is %s, not %s", f.Name, got.Type, f.Type))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("bigquery table %s exists without the columns %s (it has: %s); add them (ALTER TABLE `%s` %s) or point `table:` at a new table, which is created with every column",
			w.where, strings.Join(missing, ", "), strings.Join(names, ", "), w.where, strings.Join(add, ", "))
	}
	if len(wrong) > 0 {
		return fmt.Errorf("bigquery table %s has columns of other types than the output's fields need: %s; change them or point `table:` at a new table",
			w.where, strings.Join(wrong, "; "))
	}
	return nil
}

// createStage makes sure the output's staging table exists with the
// columns op, key, then the field columns (JSON ones as STRING holding
// JSON text); one whose columns differ (the output's fields changed) is
// made again.
func (w *bqWriter) createStage(ctx context.Context, c OutputConfig) error {
	id := c.Table
	if len(id) > 800 {
		id = id[:800]
	}
	w.stage = w.client.DatasetInProject(c.Project, c.Dataset).Table(id + "_mosaic_stage_" + strings.ToLower(w.name))
	schema := bigquery.Schema{
		{Name: "op", Type: bigquery.StringFieldType, Required: true},
		{Name: "key", Type: bigquery.StringFieldType, Required: true},
	}
	for _, col := range w.cols {
		typ := col.Type
		if col.JSON {
			typ = bigquery.StringFieldType
		}
		schema = append(schema, &bigquery.FieldSchema{Name: col.Name, Type: typ})
	}
	md, err := w.stage.Metadata(ctx)
	switch {
	case err == nil && sameColumns(md.Schema, schema):
		return nil
	case err == nil:
		if err := w.stage.Delete(ctx); err != nil && !isStatus(err, http.StatusNotFound) {
			return w.errorf(err, "replace the staging table %s, whose columns are not the output's fields", w.stage.TableID)
		}
	case !isStatus(err, http.StatusNotFound):
		return w.errorf(err, "read the staging table %s", w.stage.TableID)
	}
	err = w.stage.Create(ctx, &bigquery.TableMetadata{
		Schema:      schema,
		Description: "Batches of mosaic output " + w.name + " on their way into " + w.where + "; empty between syncs.",
	})
	if err != nil && !isStatus(err, http.StatusConflict) {
		return w.errorf(err, "create the staging table %s (it needs bigquery.tables.create on dataset %s)", w.stage.TableID, c.Dataset)
	}
	return nil
}

// sameColumns says whether two schemas have the same columns, in order.
func sameColumns(a, b bigquery.Schema) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i].Name, b[i].Name) || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}
