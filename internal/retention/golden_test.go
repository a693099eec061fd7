package retention_test

import (
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestGolden runs testdata/retention/<case>/ (see package golden).
func TestGolden(t *testing.T) {
	golden.RunAll(t, "../../testdata/retention", golden.Dumps{
		"events.txt": `SELECT event_name || ' ' || strftime(occurred_at, '%m-%d %H:%M') || ' ' || coalesce(CAST(mpid IS NOT NULL AS VARCHAR), '') FROM events ORDER BY ALL`,
		"profiles.txt": `SELECT string_agg(i.identity_type || '=' || i.identity_value, ',' ORDER BY i.identity_type, i.identity_value)
			|| ' last seen ' || strftime(p.last_seen_at, '%m-%d %H:%M')
			|| ' attributes ' || coalesce((SELECT string_agg(a.key || '=' || CAST(a.value AS VARCHAR), ',' ORDER BY a.key) FROM profile_attributes a WHERE a.mpid = p.mpid), '-')
			|| ' events ' || (SELECT count(*) FROM events e WHERE e.mpid = p.mpid)
			FROM profiles p JOIN profile_identities i USING (mpid) GROUP BY p.mpid, p.last_seen_at ORDER BY 1`,
		"orphans.txt": `SELECT 'attribute of no profile ' || key FROM profile_attributes WHERE mpid NOT IN (SELECT mpid FROM profiles)
			UNION ALL SELECT 'identity of no profile ' || identity_value FROM profile_identities WHERE mpid NOT IN (SELECT mpid FROM profiles)
			UNION ALL SELECT 'alias of no profile ' || alias_mpid FROM profile_aliases WHERE mpid NOT IN (SELECT mpid FROM profiles)
			UNION ALL SELECT 'event of no profile ' || event_name FROM events WHERE mpid IS NOT NULL AND mpid NOT IN (SELECT mpid FROM profiles)
			ORDER BY 1`,
		"stats.txt": `SELECT 'run ' || run_id || ' ' || CAST(stats->'retention' AS VARCHAR) || ' ' || CAST(stats->'calculated' AS VARCHAR) FROM runs ORDER BY run_id`,
	})
}
