package forget_test

import (
	"strings"
	"testing"
)

// TestForgetDroppedRowEscaped: a raw line that spells the forgotten value
// with JSON escapes (a\u0026b@x.com for a&b@x.com, \u00e9 for é) names
// it as well as one that writes it plain: its dropped row goes too.
func TestForgetDroppedRowEscaped(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", "")
	run(t, dir, 1, ann,
		`{"environment": "production", "user_identities": {"email": "a&b@x.com"}, "timestamp_unixtime_ms": 1780228800000}`,
		`{"environment": "production", "user_identities": {"email": "a\u0026b@x.com"}, broken`,
		`{"environment": "production", "user_identities": {"email": "Ren\u00e9@x.com"}, broken`)
	const escaped = `SELECT count(*) FROM dropped_rows WHERE contains(CAST("row" AS VARCHAR), '\\u00')`
	if got := query(t, dir, escaped); got != "2\n" {
		t.Fatalf("setup: %s dropped rows with an escape, want 2", got)
	}
	for _, id := range []string{"email=a&b@x.com", "email=rené@x.com"} {
		if code, out := mosaic(t, "forget", "-p", dir+"/pipeline.yaml", "--identity", id); code != 0 {
			t.Fatalf("forget %s: exit %d\n%s", id, code, out)
		}
	}
	if got := query(t, dir, escaped); got != "0\n" {
		t.Errorf("%s dropped rows spelling a forgotten value with escapes are left", strings.TrimSpace(got))
	}
}
