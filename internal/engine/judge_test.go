//go:build duckdb_arrow

package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// TestJudgeIdentityAgreesWithStaging holds JudgeIdentity, with which a
// source judges a batch's identities ahead of staging, to what
// sql/batch/identities.sql.tmpl makes of each value as sent: the value as
// matched (or none), blocklisted, too long. It must be sure of every ASCII
// value and of no other. Then the source's judgements, staged, must come
// out of the template as they went in. Blocklists with and without
// patterns for every type ("*") and for types of their own.
func TestJudgeIdentityAgreesWithStaging(t *testing.T) {
	values := []string{
		"c1", "  c2 \t", "\r\n", "\f c3\f", "\f", " \f0\f ", "\v", "\vc5\v", "0000", "00a0", "null", "NULL",
		"Test@x.com", " test@x.com", "tester@x.com", "x@test.com", "TEST@X.COM", "anonymous", "anonymous2",
		strings.Repeat("a", 1024), strings.Repeat("a", 1025), " " + strings.Repeat("a", 1024) + " ", strings.Repeat("0", 1025),
		"\u00a0c4\u00a0", "josé", "\u00a0", "ÉMILE@x.com", "\ufeffc6",
		"coop", "xcoop", "NuLL", "nul", "a\nnull", "abc", "cab", "a1c", "ZZ", "xZz",
	}
	types := []string{"customerid", "email"}
	for _, id := range []config.Identity{
		{Blocklist: map[string][]string{"email": {"^test@"}, "*": {"^0+$", "^null$", "^anonymous$"}}},
		{Blocklist: map[string][]string{"email": {"^test@"}, "*": {"^0+$", "^null$", "^anonymous$"}}, CaseSensitive: []string{"email"}},
		{Blocklist: map[string][]string{"*": {"^0+$", "^null$"}}},
		{Blocklist: map[string][]string{"email": {"^test@"}}},
		// Patterns that a prefix test must not decide alone: case folded,
		// alternatives, unanchored, multi-line, anchored at the end.
		{Blocklist: map[string][]string{"*": {"(?i)^null$", "^(?:co|x)", "^c|b", "(?m)^null$", "1c$", "(?i)^zz"}}},
	} {
		p := &config.Pipeline{Identity: id}
		judge := JudgeIdentity(p)
		var sent, judged []stagedIdent
		for i, v := range values {
			for _, typ := range types {
				sent = append(sent, stagedIdent{row: i, t: typ, v: v, j: -1})
				if j, sure := judge(typ, v); sure && j.Value != "" {
					judged = append(judged, stagedIdent{row: i, t: typ, v: j.Value, j: int(j.Bits())})
				}
			}
		}
		staged, passed := stageIdentities(t, p, sent), stageIdentities(t, p, judged)
		for i, v := range values {
			for _, typ := range types {
				key := fmt.Sprint(typ, i)
				got, sure := judge(typ, v)
				ascii := !strings.ContainsFunc(v, func(r rune) bool { return r > 127 })
				if sure != ascii {
					t.Errorf("%s %q (%+v): sure %v, want %v", typ, v, id, sure, ascii)
				}
				if sure && got != staged[key] {
					t.Errorf("%s %q (%+v): judged %+v, staging makes %+v", typ, v, id, got, staged[key])
				}
				if sure && got != passed[key] {
					t.Errorf("%s %q (%+v): judged %+v, staged as judged %+v", typ, v, id, got, passed[key])
				}
			}
		}
	}
}

// stagedIdent is one identity of a staged batch: j is the source's
// judgement (-1: none, the value as sent).
type stagedIdent struct {
	row  int
	t, v string
	j    int
}

// stageIdentities runs sql/batch/identities.sql.tmpl over ids and returns
// what it makes of each, keyed by type and row (a value of which nothing
// is left is missing).
func stageIdentities(t *testing.T, p *config.Pipeline, ids []stagedIdent) map[string]connectors.Judgement {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	byRow := map[int][]string{}
	for _, id := range ids {
		j := "NULL"
		if id.j >= 0 {
			j = fmt.Sprint(id.j)
		}
		byRow[id.row] = append(byRow[id.row], fmt.Sprintf("{'t': %s, 'v': %s, 'j': CAST(%s AS TINYINT)}", sqlfiles.Literal(id.t), sqlfiles.Literal(id.v), j))
	}
	rows := []string{"(-1, [])"}
	for row, structs := range byRow {
		rows = append(rows, fmt.Sprintf("(%d, [%s])", row, strings.Join(structs, ", ")))
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
	res, err := s.Conn().QueryContext(ctx, "SELECT t || row_pos, v, blocked, long FROM _bids")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	got := map[string]connectors.Judgement{}
	for res.Next() {
		var key string
		var j connectors.Judgement
		if err := res.Scan(&key, &j.Value, &j.Blocked, &j.Long); err != nil {
			t.Fatal(err)
		}
		got[key] = j
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}
