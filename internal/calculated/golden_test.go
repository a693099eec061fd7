package calculated_test

import (
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// calculatedDump lists each calculated value under its profile's
// identities, with the day of the run that last changed it.
const calculatedDump = `SELECT coalesce((SELECT string_agg(i.identity_type || '=' || i.identity_value, ',' ORDER BY i.identity_type, i.identity_value)
		FROM profile_identities i WHERE i.mpid = a.mpid), 'no identity')
	|| ' ' || a.key || '=' || CAST(a.value AS VARCHAR) || ' (' || a.source_type || ', ' || strftime(a.updated_at, '%m-%d') || ')'
	FROM profile_attributes a WHERE a.calculated ORDER BY 1`

// TestGolden runs testdata/calculated/<case>/ (see package golden): one
// case per kind, each with a lifetime attribute, a sliding window and event
// predicates over two runs, plus window expiry, since, merges and a changed
// definition.
func TestGolden(t *testing.T) {
	golden.RunAll(t, "../../testdata/calculated", golden.Dumps{
		"calculated.txt": calculatedDump,
		"stats.txt":      `SELECT 'run ' || run_id || ' ' || CAST(stats->'calculated' AS VARCHAR) FROM runs ORDER BY run_id`,
	})
}
