package engine

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// FeedStage stages one feed's rows within a run. The source calls Query,
// Arrow and Dropped any number of times (it is the source's Sink); then the
// run calls Finish once to map, check and keep the rows. Finish drops what
// the staging made; a run whose read failed calls Close for that
// (stage_close.go).
type FeedStage struct {
	tx      *Tx
	p       *config.Pipeline
	feed    *config.Feed
	pos     int
	runID   int64
	runTime time.Time
	table   string
	dropped int64
	temps   []string // temp tables made by Temp and by the source's queries: Close drops them
	// A batch feed's chunks (Arrow): the batches staged since the last
	// chunk was kept, the chunks kept (keepChunk) from row id from on, and
	// what they counted.
	staged int64
	chunks int
	from   int64
	done   FeedStats
}

// FeedStats counts what happened to one feed's rows in a run.
type FeedStats struct {
	// Read counts the rows read: Kept + Dropped + Seen + AlreadyIngested.
	// Staging counts Kept and Dropped; a later stage that drops a kept row
	// (no_matching_profile, say) moves it from one to the other.
	Read        int64 `json:"rows_read"`
	Kept        int64 `json:"rows_kept"`
	Dropped     int64 `json:"rows_dropped"`
	Seen        int64 `json:"rows_at_or_below_watermark,omitempty"`
	Blocklisted int64 `json:"identities_blocklisted,omitempty"`
	// DroppedByReason counts what the run recorded in dropped_rows for the
	// feed, by reason: one record per dropped row (Dropped), and one per
	// identity, value or attribute that a rule kept out of a kept row
	// (blocklisted, say), so its sum may exceed Dropped.
	DroppedByReason map[string]int64 `json:"dropped_by_reason,omitempty"`
	// AlreadyIngested counts batches (format: batch) skipped because a
	// past run kept their source_request_id: read, neither kept nor
	// dropped (Read = Kept + Dropped + AlreadyIngested).
	AlreadyIngested int64  `json:"already_ingested,omitempty"`
	Watermark       string `json:"watermark,omitempty"`
	// ReadPath is the way the source read, for sources with more than one
	// (BigQuery: storage_read or rest); set by the run from the source's
	// state.
	ReadPath string `json:"read_path,omitempty"`
	// Warnings are what the run went past in the feed: data that has not
	// arrived (no file matches), or that it left for a later run (a last
	// line without its newline); set by the run.
	Warnings []string `json:"warnings,omitempty"`
}

// StageFeed starts staging the feed at index pos of p.
func (t *Tx) StageFeed(p *config.Pipeline, pos int, runID int64, runTime time.Time) *FeedStage {
	return &FeedStage{tx: t, p: p, feed: &p.Feeds[pos], pos: pos, runID: runID, runTime: runTime, table: "_stage_" + p.Feeds[pos].Name}
}

// Columns lists the source columns the feed maps, sorted: what a source
// must deliver (it may project away the rest).
func (f *FeedStage) Columns() []string { return FeedColumns(f.feed) }

// FeedColumns lists the source columns feed maps, sorted (its timestamp,
// mpid, cursor, event columns, identities and attributes).
func FeedColumns(feed *config.Feed) []string {
	cols := []string{}
	add := func(c string) {
		if c != "" && !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	for _, c := range []string{feed.Timestamp, feed.MPID, feed.Cursor, feed.DeletedAttributes, feed.EventName, feed.OccurredAt, feed.EventAttributes} {
		add(c)
	}
	for c := range feed.Identities {
		add(c)
	}
	for c := range feed.Attributes {
		add(c)
	}
	slices.Sort(cols)
	return cols
}

// Query stages the rows of a DuckDB query (the files source's fast path).
// Its columns are the feed's Columns plus _origin VARCHAR, which says where
// each row came from (file, line).
func (f *FeedStage) Query(ctx context.Context, query string) error {
	return f.track(ctx, func() error {
		if _, err := f.tx.stageSelect(ctx, f.table, query); err != nil {
			return fmt.Errorf("stage rows: %w", err)
		}
		return nil
	})
}

// Dropped records rows the source could not parse; query yields
// (reason VARCHAR, row JSON).
func (f *FeedStage) Dropped(ctx context.Context, query string) error {
	stmt, err := sqlfiles.Render("engine/insert_dropped.sql.tmpl", query)
	if err != nil {
		return err
	}
	n, err := f.tx.ExecUnordered(ctx, stmt, f.runID, f.feed.Name)
	f.dropped += n
	if err != nil {
		return fmt.Errorf("record dropped rows: %w", err)
	}
	return nil
}

// Temp materialises query into a temp table dropped by Close.
func (f *FeedStage) Temp(ctx context.Context, query string) (string, error) {
	name := fmt.Sprintf("_tmp_%s_%d", f.feed.Name, len(f.temps))
	err := f.track(ctx, func() error {
		_, err := f.tx.stageSelect(ctx, name, query)
		return err
	})
	if err != nil {
		return "", err
	}
	return sqlfiles.Ident(name), nil
}

// stageSelect creates table from query on first use and appends by column
// name after that; either way the query runs exactly once.
func (t *Tx) stageSelect(ctx context.Context, table, query string) (int64, error) {
	stmt, err := sqlfiles.Render("engine/stage_select.sql.tmpl", map[string]any{"Table": table, "Query": query, "Append": t.tables[table]})
	if err != nil {
		return 0, err
	}
	n, err := t.Exec(ctx, stmt)
	if err != nil {
		return 0, err
	}
	t.tables[table] = true
	return n, nil
}

type mapIdentity struct {
	Col   column
	Type  string
	Lower bool
	// Value and Refusal are SQL: the column's value as an identity, and
	// why it is refused ("" when its type never is): column.Identity.
	Value, Refusal string
	Raw            column // the column read from the stage as s, for a refusal's record
	Blocked        string // SQL: whether the blocklist removes id_N
}

type mapAttribute struct {
	Col column
	Key string
}

// Finish maps the staged rows, records the dropped ones and keeps the rest
// in the store. watermark is the feed's last committed cursor value ("" for
// none); FeedStats.Watermark is the new one.
func (f *FeedStage) Finish(ctx context.Context, watermark string) (FeedStats, error) {
	st := f.done
	st.Read, st.Dropped, st.Watermark = st.Read+f.dropped, st.Dropped+f.dropped, watermark
	defer f.Close(ctx)
	if !f.tx.tables[f.table] {
		return st, nil
	}
	stageBase, ok, err := f.stageBase(ctx)
	if err != nil || !ok {
		return st, err // !ok: the source staged no row (a header-only file, every line dropped)
	}
	if f.feed.Source.IsBatch() {
		return f.finishBatch(ctx, st, stageBase, false)
	}
	cols, err := f.tx.columns(ctx, f.table)
	if err != nil {
		return st, err
	}
	data, err := f.mapData(cols)
	if err != nil {
		return st, err
	}
	stmt, err := sqlfiles.Render("engine/map_feed.sql.tmpl", data)
	if err != nil {
		return st, err
	}
	var wm any
	if watermark != "" {
		wm = watermark
	}
	if _, err := f.tx.Exec(ctx, stmt, f.runTime, wm, stageBase); err != nil {
		return st, fmt.Errorf("feed %s: map rows: %w", f.feed.Name, err)
	}
	defer f.tx.dropTemp(ctx, "_mapped")
	var read, kept, dropped, seen, blocked int64
	var newWM sql.NullString
	if err := f.tx.QueryRow(ctx, sqlfiles.Get("engine/feed_counts.sql"), wm).Scan(&read, &kept, &dropped, &seen, &blocked, &newWM); err != nil {
		return st, fmt.Errorf("feed %s: count rows: %w", f.feed.Name, err)
	}
	var base int64
	if err := f.tx.QueryRow(ctx, sqlfiles.Get("engine/max_row_id.sql")).Scan(&base); err != nil {
		return st, err
	}
	if err := f.tx.ExecFileUnordered(ctx, "engine/insert_feed_rows.sql.tmpl", data, base, f.runID, f.feed.Name, f.pos); err != nil {
		return st, fmt.Errorf("feed %s: keep rows: %w", f.feed.Name, err)
	}
	drops, err := sqlfiles.Render("engine/insert_mapped_drops.sql.tmpl", data)
	if err != nil {
		return st, err
	}
	if _, err := f.tx.ExecUnordered(ctx, drops, f.runID, f.feed.Name, stageBase); err != nil {
		return st, fmt.Errorf("feed %s: record dropped rows: %w", f.feed.Name, err)
	}
	st.Read += read
	st.Kept, st.Seen, st.Blocklisted = kept, seen, blocked
	st.Dropped += dropped
	st.Watermark = newWM.String
	return st, nil
}

// stageBase returns the first staged row's position, or false when none
// was staged.
func (f *FeedStage) stageBase(ctx context.Context) (int64, bool, error) {
	q, err := sqlfiles.Render("engine/stage_base.sql.tmpl", f.table)
	if err != nil {
		return 0, false, err
	}
	var first sql.NullInt64
	if err := f.tx.QueryRow(ctx, q).Scan(&first); err != nil {
		return 0, false, fmt.Errorf("feed %s: %w", f.feed.Name, err)
	}
	return first.Int64, first.Valid, nil
}

// keepChunk keeps the chunk of a batch feed staged so far, as Finish
// would, and drops it from the stage for the next (Arrow).
func (f *FeedStage) keepChunk(ctx context.Context) error {
	stageBase, ok, err := f.stageBase(ctx)
	if err == nil && ok {
		f.done, err = f.finishBatch(ctx, f.done, stageBase, true)
	}
	f.tx.dropTemp(ctx, f.table)
	delete(f.tx.tables, f.table)
	f.staged = 0
	return err
}

func (f *FeedStage) mapData(cols []column) (map[string]any, error) {
	byName := map[string]column{}
	for _, c := range cols {
		byName[c.Name] = c
	}
	get := func(name, role string) (*column, error) {
		if name == "" {
			return nil, nil
		}
		c, ok := byName[name]
		if !ok {
			var have []string
			for _, c := range cols {
				if c.Name != "_origin" {
					have = append(have, c.Name)
				}
			}
			return nil, fmt.Errorf("feed %s: the %s column %q is not in the source (it has: %s); fix the feed's mapping", f.feed.Name, role, name, strings.Join(have, ", "))
		}
		return &c, nil
	}
	_, hasOrigin := byName["_origin"]
	data := map[string]any{"Stage": f.table, "Origin": hasOrigin}
	roles := []struct{ key, name, role string }{
		{"TS", f.feed.Timestamp, "timestamp"}, {"MPID", f.feed.MPID, "mpid"}, {"Cursor", f.feed.Cursor, "cursor"},
		{"Deleted", f.feed.DeletedAttributes, "deleted_attributes"}, {"EventName", f.feed.EventName, "event_name"},
		{"OccurredAt", f.feed.OccurredAt, "occurred_at"}, {"EventAttributes", f.feed.EventAttributes, "event_attributes"},
	}
	for _, r := range roles {
		c, err := get(r.name, r.role)
		if err != nil {
			return nil, err
		}
		data[r.key] = c
	}
	data["Feed"], data["Pos"] = f.feed.Name, f.pos
	var ids []mapIdentity
	for _, name := range sortedKeys(f.feed.Identities) {
		c, err := get(name, "identity")
		if err != nil {
			return nil, err
		}
		t := f.feed.Identities[name]
		value, refusal := c.Identity()
		ids = append(ids, mapIdentity{
			Col: *c, Type: t, Value: value, Refusal: refusal, Raw: c.in("s"),
			Lower:   t == "email" && f.p.Identity.LowersEmail(),
			Blocked: blocklistSQL(fmt.Sprintf("id_%d", len(ids)), t, f.p.Identity.Blocklist),
		})
	}
	var attrs []mapAttribute
	for _, name := range sortedKeys(f.feed.Attributes) {
		c, err := get(name, "attribute")
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, mapAttribute{Col: *c, Key: f.feed.Attributes[name]})
	}
	data["Identities"], data["Attributes"] = ids, attrs
	return data, nil
}

// blocklistSQL renders whether the blocklist removes the value in column
// col of identity type t: one regular expression joining the type's
// patterns and those for every type ("*"). config checked each pattern;
// DuckDB and Go both speak RE2.
func blocklistSQL(col, t string, bl map[string][]string) string {
	var alts []string
	for _, re := range patterns(bl, t) {
		alts = append(alts, "(?:"+re+")")
	}
	if len(alts) == 0 {
		return "false"
	}
	return "regexp_matches(" + col + ", " + sqlfiles.Literal(strings.Join(alts, "|")) + ")"
}

// patterns lists the blocklist's patterns for identity type t: its own
// and those for every type ("*"), each once.
func patterns(bl map[string][]string, t string) []string {
	if t == "*" {
		return bl["*"]
	}
	return append(slices.Clone(bl[t]), bl["*"]...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (t *Tx) columns(ctx context.Context, table string) ([]column, error) {
	rows, err := t.s.conn.QueryContext(ctx, sqlfiles.Get("engine/stage_columns.sql"), table)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// dropTemp drops a temp table, logging a failure: it runs deferred, after
// the work that made the table, and a table left behind only costs memory
// until the connection closes.
func (t *Tx) dropTemp(ctx context.Context, table string) {
	t.dropTemplate(ctx, "engine/drop_temp.sql.tmpl", table)
	delete(t.tables, table)
}

// dropView drops a temp view, logging a failure (as dropTemp).
func (t *Tx) dropView(ctx context.Context, view string) {
	t.dropTemplate(ctx, "engine/drop_view.sql.tmpl", view)
}

func (t *Tx) dropTemplate(ctx context.Context, tmpl, name string) {
	stmt, err := sqlfiles.Render(tmpl, name)
	if err == nil {
		_, err = t.Exec(context.WithoutCancel(ctx), stmt)
	}
	if err != nil {
		t.s.log.Warn("could not drop a temporary object", "name", name, "err", err)
	}
}

// DropTemp drops a temp table made by StageArrow (or any other), if any.
func (t *Tx) DropTemp(ctx context.Context, table string) { t.dropTemp(ctx, table) }
