package audiences_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

const head = "version: 1\nname: p\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\naudiences:\n"

// TestCheck: `sql:` criteria are refused with their position when they
// would write, do not parse, or return no mpid; valid ones pass.
func TestCheck(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{{
		name: "valid",
		src:  head + "  - { name: a, criteria: { sql: \"SELECT mpid FROM profiles WHERE created_at < $now::TIMESTAMPTZ;\" } }\n",
	}, {
		name: "a write",
		src:  head + "  - { name: a, criteria: { all: [ { identity: { type: email } }, { sql: \"DELETE FROM _mosaic.profiles\" } ] } }\n",
		want: "p.yaml:6:73: audiences[0].criteria.all[1].sql: the query may only read: write one SELECT returning a column mpid",
	}, {
		name: "a write after a read",
		src:  head + "  - { name: a, criteria: { sql: \"SELECT mpid FROM profiles; DELETE FROM _mosaic.profiles\" } }\n",
		want: "p.yaml:6:33: audiences[0].criteria.sql: the query may only read: write one SELECT returning a column mpid",
	}, {
		name: "syntax error",
		src:  head + "  - name: a\n    criteria:\n      sql: |\n        SELEC mpid FROM profiles\n",
		want: "p.yaml:8:12: audiences[0].criteria.sql: the query must be one SELECT returning a column mpid: Parser Error: syntax error at or near \"SELEC\"",
	}, {
		name: "no mpid column",
		src:  head + "  - { name: a, criteria: { not: { sql: \"SELECT identity_value FROM profile_identities\" } } }\n",
		want: "p.yaml:6:40: audiences[0].criteria.not.sql: the query must be one SELECT returning a column mpid: Binder Error: Values list \"q\" does not have a column named \"mpid\"",
	}, {
		name: "unknown table",
		src:  head + "  - { name: a, criteria: { sql: \"SELECT mpid FROM customers\" } }\n  - { name: b, criteria: { sql: \"SELECT mpid FROM profiles\" } }\n",
		want: "p.yaml:6:33: audiences[0].criteria.sql: the query must be one SELECT returning a column mpid: Catalog Error: Table with name customers does not exist!",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := config.Parse("p.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			err = audiences.Check(context.Background(), p)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, config.ErrInvalid) {
					t.Errorf("errors.Is(%v, config.ErrInvalid) = false", err)
				}
			}
			if got != tc.want {
				t.Errorf("Check\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}
