package engine_test

import (
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestBatchGolden runs testdata/batch/<case>/ (see package golden).
func TestBatchGolden(t *testing.T) {
	golden.RunAll(t, "../../testdata/batch", golden.Dumps{
		"profiles.txt": `SELECT p.mpid || ' ' || (SELECT string_agg(identity_type || '=' || identity_value, ' ' ORDER BY identity_type) FROM profile_identities i WHERE i.mpid = p.mpid)
			|| coalesce(' | ' || (SELECT string_agg(key || '=' || CAST(value AS VARCHAR) || ' (' || json_type(value) || ')', ' ' ORDER BY key) FROM profile_attributes a WHERE a.mpid = p.mpid), '')
			FROM profiles p ORDER BY 1`,
		"events.txt": `SELECT event_id || ' ' || coalesce(CAST(mpid AS VARCHAR), 'NULL') || ' ' || event_type || ' ' || event_name || ' ' || strftime(occurred_at, '%m-%d %H:%M') || ' ' || feed || ' ' || coalesce(batch_id, '-') FROM events ORDER BY 1`,
		// A batch dropped whole keeps its text (staged only where it may
		// be needed: connectors.RawBatches).
		"dropped.txt": `SELECT 'run ' || run_id || ' ' || feed || ' ' || reason || ' ' || coalesce("row"->>'line', "row"->>'origin', '')
			|| CASE WHEN reason IN ('duplicate_batch', 'no_identity') AND ("row"->>'batch') IS NULL THEN ' WITHOUT ITS TEXT' ELSE '' END
			FROM dropped_rows ORDER BY ALL`,
		// What each run counted of each feed: the blocklisted identities
		// of kept batches, judged by the source or, unsure, by staging.
		"feeds.txt": `SELECT 'run ' || r.run_id || ' ' || f.key || ': read ' || (f.value->>'rows_read') || ', kept ' || (f.value->>'rows_kept')
			|| ', dropped ' || (f.value->>'rows_dropped') || ', blocklisted ' || coalesce(f.value->>'identities_blocklisted', '0')
			|| ', already ingested ' || coalesce(f.value->>'already_ingested', '0')
			FROM runs r, json_each(r.stats->'feeds') f ORDER BY ALL`,
	})
}
