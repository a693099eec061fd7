package attributes_test

import (
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestGolden runs testdata/attributes/<case>/ (see package golden).
func TestGolden(t *testing.T) {
	golden.RunAll(t, "../../testdata/attributes", golden.Dumps{
		"attributes.txt": `SELECT string_agg(i.identity_type || '=' || i.identity_value, ',' ORDER BY i.identity_type, i.identity_value) || ' '
			|| a.key || '=' || CAST(a.value AS VARCHAR) || ' (' || a.source_type || ', ' || a.feed || ', ' || strftime(a.updated_at, '%m-%d %H:%M') || ')'
			FROM profile_attributes a JOIN profile_identities i USING (mpid) GROUP BY a.mpid, a.key, a.value, a.source_type, a.feed, a.updated_at ORDER BY 1`,
		"dropped.txt": `SELECT 'run ' || run_id || ' ' || feed || ' ' || reason FROM dropped_rows ORDER BY ALL`,
		"events.txt":  `SELECT event_name || ' ' || event_type || ' ' || strftime(occurred_at, '%m-%d %H:%M') || ' ' || coalesce(CAST(attributes AS VARCHAR), 'NULL') || ' ' || (mpid IS NOT NULL) || ' ' || feed || ' ' || coalesce(batch_id, '-') FROM events ORDER BY ALL`,
	})
}
