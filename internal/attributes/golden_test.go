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
		// updated_at moves with the values a run changes (attributes.go)
		"profiles.txt": `SELECT string_agg(i.identity_type || '=' || i.identity_value, ',' ORDER BY i.identity_type, i.identity_value)
			|| ' created ' || strftime(p.created_at, '%m-%d %H:%M') || ', updated ' || strftime(p.updated_at, '%m-%d %H:%M')
			|| ', last seen ' || strftime(p.last_seen_at, '%m-%d %H:%M')
			FROM profiles p JOIN profile_identities i USING (mpid) GROUP BY p.mpid, p.created_at, p.updated_at, p.last_seen_at ORDER BY 1`,
		"dropped.txt": `SELECT 'run ' || run_id || ' ' || feed || ' ' || reason FROM dropped_rows ORDER BY ALL`,
		"events.txt":  `SELECT event_name || ' ' || event_type || ' ' || strftime(occurred_at, '%m-%d %H:%M') || ' ' || coalesce(CAST(attributes AS VARCHAR), 'NULL') || ' ' || (mpid IS NOT NULL) || ' ' || feed || ' ' || coalesce(batch_id, '-') FROM events ORDER BY ALL`,
	})
}
