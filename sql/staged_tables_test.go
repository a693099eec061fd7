package sql

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryStagedTableDeletedEverywhere: the statements that delete staged
// rows (a failed run's staging, a full refresh, forget, its blocked rows,
// retention) each name every table the migrations make for staged rows,
// so that a feed table added later is not left out of one of them.
func TestEveryStagedTableDeletedEverywhere(t *testing.T) {
	created := regexp.MustCompile(`CREATE TABLE _mosaic\.(feed_[a-z_]+) \(`)
	versioned := regexp.MustCompile(`_v[0-9]+$`)
	var tables []string
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile("migrations/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range created.FindAllStringSubmatch(string(b), -1) {
			if name := versioned.ReplaceAllString(m[1], ""); !slices.Contains(tables, name) {
				tables = append(tables, name)
			}
		}
	}
	if len(tables) < 6 {
		t.Fatalf("found %d staged tables in the migrations (%v): the pattern no longer matches", len(tables), tables)
	}
	for _, file := range []string{
		"engine/staging_drop.sql.tmpl", "engine/full_refresh.sql.tmpl",
		"forget/erase.sql", "forget/drop_blocked.sql", "retention/profiles.sql",
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range tables {
			if !strings.Contains(string(b), "DELETE FROM _mosaic."+table+" ") {
				t.Errorf("%s deletes no rows of _mosaic.%s", file, table)
			}
		}
	}
}
