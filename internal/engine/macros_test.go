package engine

import (
	"context"
	"path/filepath"
	"testing"
)

// TestUTCDayAgreesWithTimezone holds the utcDay macro (integer arithmetic)
// to DuckDB's own UTC date of a timestamp, at each side of midnight on
// days from 1600 to 2400, before 1970 included (where truncating division
// would give the next day).
func TestUTCDayAgreesWithTimezone(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	var n, wrong int64
	err := s.Conn().QueryRowContext(context.Background(), `
		WITH ts AS (
			SELECT make_timestamptz(d * 86400000000 + off) AS t
			FROM range(-135000, 157000, 97) r(d), (VALUES (-1), (0), (1), (43200000000)) o(off)
			UNION ALL SELECT NULL)
		SELECT count(*), count(*) FILTER (WHERE utcDay(t) IS DISTINCT FROM CAST(timezone('UTC', t) AS DATE)) FROM ts`).Scan(&n, &wrong)
	if err != nil {
		t.Fatal(err)
	}
	if n < 10000 || wrong != 0 {
		t.Errorf("utcDay disagrees with timezone('UTC', t) on %d of %d timestamps", wrong, n)
	}
}
