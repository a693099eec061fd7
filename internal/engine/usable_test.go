//go:build duckdb_arrow

package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// TestUsableIdentityAgreesWithStaging holds UsableIdentity, which tells a
// source which batches staging may drop as no_identity, to what
// sql/batch/identities.sql.tmpl does: an ASCII value is usable exactly
// when staging keeps it, neither blocklisted nor too long; no other value
// is called usable. Blocklists with and without patterns for every type
// ("*") and for types of their own.
func TestUsableIdentityAgreesWithStaging(t *testing.T) {
	values := []string{
		"c1", "  c2 \t", "\r\n", "\f c3\f", "\f", " \f0\f ", "\v", "\vc5\v", "0000", "00a0", "null", "NULL",
		"Test@x.com", " test@x.com", "tester@x.com", "x@test.com", "TEST@X.COM", "anonymous", "anonymous2",
		strings.Repeat("a", 1024), strings.Repeat("a", 1025), " " + strings.Repeat("a", 1024) + " ",
		"\u00a0c4\u00a0", "josé", "\u00a0", "ÉMILE@x.com", "\ufeffc6",
	}
	for _, id := range []config.Identity{
		{Blocklist: map[string][]string{"email": {"^test@"}, "*": {"^0+$", "^null$", "^anonymous$"}}},
		{Blocklist: map[string][]string{"email": {"^test@"}, "*": {"^0+$", "^null$", "^anonymous$"}}, CaseSensitive: []string{"email"}},
		{Blocklist: map[string][]string{"*": {"^0+$", "^null$"}}},
		{Blocklist: map[string][]string{"email": {"^test@"}}},
	} {
		p := &config.Pipeline{Identity: id}
		usable := UsableIdentity(p)
		kept := stagedUsable(t, p, values)
		for i, v := range values {
			for _, typ := range []string{"customerid", "email"} {
				got, want := usable(typ, v), kept[fmt.Sprint(typ, i)]
				ascii := !strings.ContainsFunc(v, func(r rune) bool { return r > 127 })
				if got && !want || ascii && got != want {
					t.Errorf("%s %q (%+v): usable %v, kept by staging %v", typ, v, id, got, want)
				}
			}
		}
	}
}

// stagedUsable runs sql/batch/identities.sql.tmpl over values, each as an
// identity of type customerid and of type email, and tells by type and
// index which it keeps, neither blocklisted nor too long.
func stagedUsable(t *testing.T, p *config.Pipeline, values []string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rows []string
	for i, v := range values {
		rows = append(rows, fmt.Sprintf("(%d, [{'t': 'customerid', 'v': %s}, {'t': 'email', 'v': %[2]s}])", i, sqlfiles.Literal(v)))
	}
	q, err := sqlfiles.Render("batch/identities.sql.tmpl", identityRules(p.Identity))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TEMP VIEW _bmapped AS SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS m(row_pos, ids)", q} {
		if _, err := s.Conn().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	res, err := s.Conn().QueryContext(ctx, "SELECT t || row_pos FROM _bids WHERE NOT blocked AND NOT long")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	kept := map[string]bool{}
	for res.Next() {
		var key string
		if err := res.Scan(&key); err != nil {
			t.Fatal(err)
		}
		kept[key] = true
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	return kept
}
