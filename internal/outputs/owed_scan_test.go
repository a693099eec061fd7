package outputs_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/outputs"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// rowGroup is how many rows a DuckDB row group holds: a scan skips the
// groups whose statistics its filters rule out.
const rowGroup = 122880

// TestEventsOwedReadsItsRowsAlone: planning the sync of an events output
// that owes two rows of the store's first run (events.sql) reads, of each
// staged table, the row groups of the new run's rows and those of the
// owed rows, not the rows staged between them: else each sync, for as
// long as a row is owed, reads again every row staged since it.
func TestEventsOwedReadsItsRowsAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a store of 600,000 staged rows (5 to 10 s); not with -short")
	}
	// 600,000 staged rows of 100 runs: each table of staged rows spans
	// more than two row groups, the new run's rows lie in the last ones.
	p, store := owedStore(t, 20000, 600000, 100)
	ctx := context.Background()
	var plan strings.Builder
	rows, err := store.Conn().QueryContext(ctx, "EXPLAIN (ANALYZE, FORMAT json) "+sqlfiles.Get("outputs/events.sql"),
		outputs.EventsArgs(p, &p.Outputs[0], 99, 100)...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(value)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var planned int
	if err := store.Conn().QueryRowContext(ctx, "SELECT count(*) FROM _out_desired").Scan(&planned); err != nil {
		t.Fatal(err)
	}
	if planned != 6002 {
		t.Fatalf("planned %d batches, want 6,002: the new run's and the 2 owed", planned)
	}
	type node struct {
		Name     string            `json:"operator_name"`
		Extra    map[string]any    `json:"extra_info"`
		Scanned  int64             `json:"operator_rows_scanned"`
		Children []json.RawMessage `json:"children"`
	}
	scans := map[string]int{}
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var n node
		if err := json.Unmarshal(raw, &n); err != nil {
			t.Fatal(err)
		}
		table, _ := n.Extra["Table"].(string)
		_, table, _ = strings.Cut(table, "_mosaic.")
		switch table {
		case "feed_identities", "feed_attributes", "feed_events", "feed_batches", "row_profiles":
			scans[table]++
			if n.Scanned > 2*rowGroup {
				t.Errorf("a scan of %s read %d rows, more than the 2 row groups of the new run's rows and the owed ones", table, n.Scanned)
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(json.RawMessage(plan.String()))
	if len(scans) != 5 {
		t.Errorf("the plan scans %v: want each staged table scanned, as events.sql does", scans)
	}
}
