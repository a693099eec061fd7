package pipeline

import (
	"fmt"
	"strings"
	"testing"
)

// TestEmptyFeedBeforeLargeFeed: a feed that keeps no row (both its rows
// are dropped) staged before one that keeps 130k (more than a DuckDB row
// group) in the same run: every kept row resolves to its profile. With
// DuckDB 1.5 an INSERT ... SELECT that DuckDB runs as a batch insert and
// that writes no row made the next large insert into the same table lose
// its rows inside the transaction: the identities of the second feed were
// invisible to the identity stage, which created no profile.
func TestEmptyFeedBeforeLargeFeed(t *testing.T) {
	if testing.Short() {
		t.Skip("130k rows")
	}
	const n = 130_000
	dir := t.TempDir()
	writeFile(t, dir, "in/a.csv", "id,email,tier,ts\n,,gold,2026-05-01T00:00:00Z\n,,silver,2026-05-01T00:00:00Z\n")
	var b strings.Builder
	b.WriteString("id,email,tier,ts\n")
	for i := range n {
		fmt.Fprintf(&b, "C%d,u%d@x.com,gold,2026-05-01T00:00:00Z\n", i, i)
	}
	writeFile(t, dir, "in/b.csv", b.String())
	feed := func(name string) string {
		return "  - { name: " + name + ", source: { kind: files, path: in/" + name + ".csv }, source_type: warehouse, timestamp: ts,\n" +
			"      identities: { id: customerid, email: email }, attributes: { tier: tier } }\n"
	}
	p := loadPipeline(t, dir, "version: 1\nname: p\nstate: ./s.duckdb\nidentity: { priority: [customerid, email] }\nfeeds:\n"+feed("a")+feed("b"))
	run(t, p, Options{})
	got := query(t, p, `SELECT (SELECT count(*) FROM profiles) || ' profiles, ' || (SELECT count(*) FROM profile_identities) || ' identities, ' ||
		(SELECT count(*) FROM profile_attributes) || ' attributes, ' || (SELECT count(*) FROM dropped_rows) || ' dropped'`)
	want := fmt.Sprintf("%d profiles, %d identities, %d attributes, 2 dropped", n, 2*n, n)
	if got[0] != want {
		t.Errorf("got %s, want %s", got[0], want)
	}
}
