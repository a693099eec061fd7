package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// finishBatch maps a `format: batch` feed's staged batches (see
// connectors/files/batch.go for their columns) into the store: rows,
// identities (normalised, blocklisted), attributes, deletions, events and,
// when an events output forwards them, the raw batches. A batch whose
// source_request_id a past run kept is skipped and counted
// (FeedStats.AlreadyIngested: a file read again is not a reject); one
// repeated within this read is dropped (duplicate_batch); an attribute
// named like a calculated attribute is not kept (calculated_name): those
// names are reserved. A read staged in chunks (Arrow) comes here once per
// chunk, more telling whether another follows; a batch repeated from an
// earlier chunk is a duplicate too (batch/rows.sql.tmpl, _bearlier).
func (f *FeedStage) finishBatch(ctx context.Context, st FeedStats, stageBase int64, more bool) (FeedStats, error) {
	data := identityRules(f.p.Identity)
	data["Stage"], data["Base"], data["Earlier"] = f.table, stageBase, f.chunks > 0
	data["Past"] = f.tx.past > 1 // row ids start at 1: none is below
	data["RunTime"] = f.runTime.UTC().Format(time.RFC3339Nano)
	data["Reserved"] = calculatedNames(f.p)
	defer f.tx.dropTemp(ctx, "_brows")
	defer f.tx.dropTemp(ctx, "_bnotkept")
	defer f.tx.dropTemp(ctx, "_bids")
	defer f.tx.dropView(ctx, "_bmapped")
	for _, name := range []string{"batch/map.sql.tmpl", "batch/identities.sql.tmpl"} {
		q, err := sqlfiles.Render(name, data)
		if err != nil {
			return st, err
		}
		if _, err := f.tx.Exec(ctx, q); err != nil {
			return st, fmt.Errorf("feed %s: %s: %w", f.feed.Name, name, err)
		}
	}
	rows, err := sqlfiles.Render("batch/rows.sql.tmpl", data)
	if err != nil {
		return st, err
	}
	args := []any{f.feed.Name, f.tx.past}
	if f.chunks > 0 {
		args = append(args, f.from)
	}
	if _, err := f.tx.Exec(ctx, rows, args...); err != nil {
		return st, fmt.Errorf("feed %s: check batches: %w", f.feed.Name, err)
	}
	if _, err := f.tx.Exec(ctx, sqlfiles.Get("batch/not_kept.sql")); err != nil {
		return st, fmt.Errorf("feed %s: check batches: %w", f.feed.Name, err)
	}
	var read, kept, dropped, already, blocked int64
	if err := f.tx.QueryRow(ctx, sqlfiles.Get("batch/counts.sql")).Scan(&read, &kept, &dropped, &already, &blocked); err != nil {
		return st, fmt.Errorf("feed %s: count batches: %w", f.feed.Name, err)
	}
	var base int64
	if err := f.tx.QueryRow(ctx, sqlfiles.Get("engine/max_row_id.sql")).Scan(&base); err != nil {
		return st, err
	}
	if f.chunks == 0 {
		f.from = base + 1
	}
	if _, err := f.tx.ExecUnordered(ctx, sqlfiles.Get("batch/keep_rows.sql"), base, f.runID, f.feed.Name, f.pos); err != nil {
		return st, fmt.Errorf("feed %s: keep batches: %w", f.feed.Name, err)
	}
	if err := f.tx.ExecFileUnordered(ctx, "batch/keep_details.sql.tmpl", data, base, f.pos); err != nil {
		return st, fmt.Errorf("feed %s: keep batches: %w", f.feed.Name, err)
	}
	if ForwardsEvents(f.p) {
		if _, err := f.tx.ExecUnordered(ctx, sqlfiles.Get("batch/keep_raw.sql"), base); err != nil {
			return st, fmt.Errorf("feed %s: keep raw batches: %w", f.feed.Name, err)
		}
	}
	drops, err := sqlfiles.Render("batch/drops.sql.tmpl", data)
	if err != nil {
		return st, err
	}
	if _, err := f.tx.ExecUnordered(ctx, drops, f.runID, f.feed.Name); err != nil {
		return st, fmt.Errorf("feed %s: record dropped batches: %w", f.feed.Name, err)
	}
	if more {
		if err := f.tx.ExecFile(ctx, "batch/earlier.sql", nil); err != nil {
			return st, fmt.Errorf("feed %s: keep a chunk: %w", f.feed.Name, err)
		}
		f.chunks++
	}
	st.Read += read
	st.Kept, st.Blocklisted, st.AlreadyIngested = st.Kept+kept, st.Blocklisted+blocked, st.AlreadyIngested+already
	st.Dropped += dropped
	return st, nil
}

// ForwardsEvents tells whether p has an events output, the one reader of
// the raw batches (feed_batches).
func ForwardsEvents(p *config.Pipeline) bool {
	return slices.ContainsFunc(p.Outputs, func(o config.Output) bool { return o.Send == config.SendEvents })
}

// calculatedNames renders the pipeline's calculated attributes' names as a
// VARCHAR[] literal (reserved: a batch's attribute of such a name is
// dropped).
func calculatedNames(p *config.Pipeline) string {
	var b strings.Builder
	b.WriteString("[")
	for i, c := range p.CalculatedAttributes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sqlfiles.Literal(c.Name))
	}
	b.WriteString("]::VARCHAR[]")
	return b.String()
}

// identityRules is what sql/batch/identities.sql.tmpl needs of the
// pipeline's identity rules: the blocklist (blockedByType) and whether
// e-mail is lower-cased, both as SQL.
func identityRules(id config.Identity) map[string]any {
	return map[string]any{"Blocked": blockedByType(id.Blocklist), "LowerEmail": fmt.Sprint(id.LowersEmail())}
}

// blockedByType renders the blocklist as one SQL boolean over columns t
// (type) and v (value): each type's patterns with those for every type.
func blockedByType(bl map[string][]string) string {
	var b strings.Builder
	for _, t := range sortedKeys(bl) {
		if t != "*" {
			fmt.Fprintf(&b, " WHEN %s THEN %s", sqlfiles.Literal(t), blocklistSQL("v", t, bl))
		}
	}
	every := blocklistSQL("v", "*", bl)
	if b.Len() == 0 {
		return every // no type of its own: CASE without WHEN is no SQL
	}
	return "CASE t" + b.String() + " ELSE " + every + " END"
}
