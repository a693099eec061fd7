package identity_test

import (
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// ProfilesSQL dumps every profile with its identities, one block each.
const profilesSQL = `
WITH ids AS (
    SELECT mpid, string_agg('  ' || identity_type || '=' || identity_value || ' first ' || strftime(first_seen_at, '%m-%d %H:%M')
        || ' last ' || strftime(last_seen_at, '%m-%d %H:%M') || ' feed ' || feed, chr(10) ORDER BY identity_type, identity_value) AS lines
    FROM profile_identities GROUP BY mpid
)
SELECT p.mpid || ' created ' || strftime(p.created_at, '%m-%d %H:%M') || ' updated ' || strftime(p.updated_at, '%m-%d %H:%M')
    || ' last_seen ' || strftime(p.last_seen_at, '%m-%d %H:%M') || chr(10) || coalesce(ids.lines, '  (no identities)')
FROM profiles p LEFT JOIN ids USING (mpid) ORDER BY p.mpid`

// TestGolden runs testdata/identity/<case>/ (see package golden), each run
// first as a dry run, and with each feed below create_update promoted.
func TestGolden(t *testing.T) {
	golden.RunAllWithDryRuns(t, "../../testdata/identity", golden.Dumps{
		"profiles.txt": profilesSQL,
		"aliases.txt":  "SELECT alias_mpid || ' -> ' || mpid || ' (run ' || run_id || ')' FROM profile_aliases ORDER BY ALL",
		"dropped.txt":  `SELECT 'run ' || run_id || ' ' || feed || ' ' || reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows ORDER BY ALL`,
		"merges.txt": `SELECT 'run ' || run_id || ' ' || feed || ' row ' || CAST("row"->>'row_pos' AS VARCHAR) || ' ' || identity_type || '=' || identity_value
			|| ': ' || merged_mpid || ' into ' || mpid FROM profile_merges ORDER BY ALL`,
		"refusals.txt": `SELECT 'run ' || run_id || ' ' || feed || ' row ' || CAST("row"->>'row_pos' AS VARCHAR) || ' ' || coalesce(identity_type || '=' || identity_value, 'mpid')
			|| ': ' || coalesce(CAST(mpid AS VARCHAR), 'row dropped') || ' kept apart from ' || other_mpid || ' by ' || rule || ' on ' || rule_type || ', ' || "rows" || ' rows'
			FROM profile_merge_refusals ORDER BY ALL`,
	})
}
