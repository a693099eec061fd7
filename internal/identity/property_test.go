package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/attributes"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/identity"
	"github.com/mosaic-cdp/mosaic/internal/identity/reference"
)

// TestStageMatchesReference runs random cases through the real stage (SQL
// interning and ordering, the Go kernel, results applied as SQL, state
// reloaded from the store each run) and compares the store after every run
// with the reference oracle: profiles, identities with their times and
// feeds, aliases, each row's profile and every drop.
func TestStageMatchesReference(t *testing.T) {
	cases := 2000
	if testing.Short() {
		cases = 200
	}
	// Two workers, each with its own store (this machine has two cores).
	const workers = 2
	for w := range workers {
		t.Run(fmt.Sprintf("worker%d", w), func(t *testing.T) {
			t.Parallel()
			store, err := engine.Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"), engine.Options{Command: "property test"})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			for i := w; i < cases; i += workers {
				c := reference.RandomCase(rand.New(rand.NewPCG(uint64(i), 7)))
				if err := checkCase(store, c); err != nil {
					t.Fatalf("case %d (rand.NewPCG(%d, 7)): %v", i, i, err)
				}
			}
		})
	}
}

func pipelineOf(c reference.Case) *config.Pipeline {
	p := &config.Pipeline{Name: "property", Identity: config.Identity{Priority: c.Priority, Unique: c.Config.Unique, Limits: c.Config.Limits},
		SourcePriority: c.Config.SourcePriority}
	for f, prot := range c.FeedProtection {
		p.Feeds = append(p.Feeds, config.Feed{Name: fmt.Sprintf("f%d", f), Protection: prot, SourceType: c.FeedSourceType[f]})
	}
	return p
}

func checkCase(store *engine.Store, c reference.Case) error {
	ctx := context.Background()
	if err := reset(ctx, store); err != nil {
		return err
	}
	p := pipelineOf(c)
	oracle := reference.New(c.Config)
	nextRow := int64(0)
	for r, rows := range c.Runs {
		runID := int64(r + 1)
		want := oracle.Apply(rows)
		tx, err := store.Begin(ctx)
		if err != nil {
			return err
		}
		rowIDs := map[[2]int]int64{}
		for _, row := range rows {
			nextRow++
			rowIDs[[2]int{row.Feed, row.Pos}] = nextRow
		}
		if err := insertRows(ctx, tx, runID, rowIDs, rows, p); err != nil {
			tx.Rollback(ctx)
			return err
		}
		st, err := identity.Run(ctx, tx, p, runID)
		if err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("run %d: %w", runID, err)
		}
		at, err := attributes.Run(ctx, tx, p, runID)
		if err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("run %d: attributes: %w", runID, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		if at.Written != int64(want.AttributesWritten) || at.Ignored != int64(want.AttributesIgnored) {
			return fmt.Errorf("run %d: attribute writes %d ignored %d, oracle %d and %d", runID, at.Written, at.Ignored, want.AttributesWritten, want.AttributesIgnored)
		}
		if st.Created != int64(want.Created) || st.Merged != int64(want.Merged) {
			return fmt.Errorf("run %d: created %d merged %d, oracle %d and %d\nrows: %+v", runID, st.Created, st.Merged, want.Created, want.Merged, rows)
		}
		if diff := cmp.Diff(oracleState(oracle, p, want, rowIDs, runID), storeState(ctx, store, runID)); diff != "" {
			return fmt.Errorf("run %d differs from the oracle (-oracle +stage):\n%s\nconfig: %+v\nruns: %+v", runID, diff, c.Config, c.Runs[:r+1])
		}
	}
	return nil
}

func reset(ctx context.Context, s *engine.Store) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := tx.FullRefresh(ctx, math.MaxInt64); err != nil { // every row
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM _mosaic.dropped_rows"); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// insertRows stages a run's rows with one INSERT per table.
func insertRows(ctx context.Context, tx *engine.Tx, runID int64, ids map[[2]int]int64, rows []reference.Row, p *config.Pipeline) error {
	var feedRows, idents, sets, dels [][]any
	for _, row := range rows {
		rowID := ids[[2]int{row.Feed, row.Pos}]
		var mpid any
		if row.MPID != 0 {
			mpid = row.MPID
		}
		feedRows = append(feedRows, []any{rowID, runID, p.Feeds[row.Feed].Name, row.Feed, row.Pos, row.TS, mpid})
		seen := map[reference.Identity]bool{}
		for _, id := range row.Identities {
			if !seen[id] { // staging never stages one identity twice for a row
				seen[id] = true
				idents = append(idents, []any{rowID, id.Type, id.Value})
			}
		}
		for key, value := range row.Sets {
			sets = append(sets, []any{rowID, key, value})
		}
		for _, key := range row.Deletes {
			dels = append(dels, []any{rowID, key})
		}
	}
	for _, ins := range []struct {
		table, row string
		values     [][]any
	}{
		{"feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts, mpid)", "(?, ?, ?, ?, ?, ?, ?)", feedRows},
		{"feed_identities", "(?, ?, ?)", idents},
		{"feed_attributes", "(?, ?, CAST(? AS JSON))", sets},
		{"feed_deletions", "(?, ?)", dels},
	} {
		if len(ins.values) == 0 {
			continue
		}
		var args []any
		for _, v := range ins.values {
			args = append(args, v...)
		}
		q := "INSERT INTO _mosaic." + ins.table + " VALUES " + strings.TrimSuffix(strings.Repeat(ins.row+",", len(ins.values)), ",")
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// state is what the test compares, as text so that diffs read well.
type state struct {
	Profiles   []string
	Attributes []string
	Aliases    []string
	Rows       []string // row id -> final profile (resolved)
	Drops      []string
}

func stamp(t time.Time) string { return t.UTC().Format("01-02T15:04:05") }

func oracleState(o *reference.State, p *config.Pipeline, res reference.RunResult, rowIDs map[[2]int]int64, runID int64) state {
	var s state
	for _, pr := range o.Profiles() {
		line := fmt.Sprintf("%d c=%s u=%s l=%s", pr.MPID, stamp(pr.CreatedAt), stamp(pr.UpdatedAt), stamp(pr.LastSeenAt))
		for _, id := range pr.Identities {
			line += fmt.Sprintf(" | %s=%s %s..%s %s", id.Type, id.Value, stamp(id.FirstSeen), stamp(id.LastSeen), p.Feeds[id.Feed].Name)
		}
		s.Profiles = append(s.Profiles, line)
	}
	for mpid, attrs := range o.Attributes() {
		for key, v := range attrs {
			s.Attributes = append(s.Attributes, fmt.Sprintf("%d %s=%s %s %s %s", mpid, key, compactJSON(v.Value), v.SourceType, p.Feeds[v.Feed].Name, stamp(v.TS)))
		}
	}
	for a, m := range o.Aliases() {
		s.Aliases = append(s.Aliases, fmt.Sprintf("%d->%d", a, m))
	}
	for key, m := range res.RowMPID {
		if m != 0 {
			final, _ := o.Resolve(m)
			s.Rows = append(s.Rows, fmt.Sprintf("%d->%d", rowIDs[key], final))
		}
	}
	for _, d := range res.Drops {
		id := ""
		if d.Identity != nil {
			id = d.Identity.Type + "=" + d.Identity.Value
		}
		s.Drops = append(s.Drops, fmt.Sprintf("run %d %s pos %d %s %s", runID, p.Feeds[d.Feed].Name, d.Pos, d.Reason, id))
	}
	return s.sorted()
}

func (s state) sorted() state {
	for _, l := range [][]string{s.Profiles, s.Attributes, s.Aliases, s.Rows, s.Drops} {
		slices.Sort(l)
	}
	return s
}

func storeState(ctx context.Context, store *engine.Store, runID int64) state {
	var s state
	s.Profiles = lines(ctx, store, `
		SELECT p.mpid || ' c=' || strftime(p.created_at, '%m-%dT%H:%M:%S') || ' u=' || strftime(p.updated_at, '%m-%dT%H:%M:%S')
			|| ' l=' || strftime(p.last_seen_at, '%m-%dT%H:%M:%S')
			|| coalesce((SELECT string_agg(' | ' || identity_type || '=' || identity_value || ' ' || strftime(first_seen_at, '%m-%dT%H:%M:%S')
				|| '..' || strftime(last_seen_at, '%m-%dT%H:%M:%S') || ' ' || feed, '' ORDER BY identity_type, identity_value)
				FROM profile_identities i WHERE i.mpid = p.mpid), '')
		FROM profiles p`)
	s.Aliases = lines(ctx, store, "SELECT alias_mpid || '->' || mpid FROM profile_aliases")
	for _, l := range lines(ctx, store, `SELECT mpid || chr(9) || key || chr(9) || CAST(value AS VARCHAR) || chr(9) || source_type || ' ' || feed || ' ' || strftime(updated_at, '%m-%dT%H:%M:%S')
		FROM profile_attributes`) {
		f := strings.SplitN(l, "\t", 4)
		s.Attributes = append(s.Attributes, fmt.Sprintf("%s %s=%s %s", f[0], f[1], compactJSON(f[2]), f[3]))
	}
	// A run's rows name their profile as it is after the run's merges, not
	// through aliases: the events stage stores their events under it.
	s.Rows = lines(ctx, store, `SELECT r.row_id || '->' || r.mpid FROM _mosaic.row_profiles r
		JOIN _mosaic.feed_rows f USING (row_id) WHERE f.run_id = `+fmt.Sprint(runID))
	for _, d := range lines(ctx, store, `SELECT CAST("row" AS VARCHAR) || chr(9) || feed || chr(9) || reason FROM _mosaic.dropped_rows WHERE run_id = `+fmt.Sprint(runID)) {
		parts := strings.Split(d, "\t")
		var row struct {
			RowPos int    `json:"row_pos"`
			Type   string `json:"identity_type"`
			Value  string `json:"identity_value"`
		}
		json.Unmarshal([]byte(parts[0]), &row)
		id := ""
		if row.Type != "" {
			id = row.Type + "=" + row.Value
		}
		s.Drops = append(s.Drops, fmt.Sprintf("run %d %s pos %d %s %s", runID, parts[1], row.RowPos, parts[2], id))
	}
	return s.sorted()
}

// compactJSON writes JSON text without spaces, as both sides compare it.
func compactJSON(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s
	}
	return b.String()
}

func lines(ctx context.Context, store *engine.Store, q string) []string {
	rows, err := store.Conn().QueryContext(ctx, q)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", q, err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}
