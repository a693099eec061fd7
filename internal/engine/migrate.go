package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// ErrNewerStore is matched by errors.Is when a store was written by a newer
// mosaic than this one.
var ErrNewerStore = errors.New("store was written by a newer mosaic")

// migrations returns the embedded migration files in order; file N is
// schema version N.
func migrations() []string {
	entries, err := fs.ReadDir(sqlfiles.FS(), "migrations")
	if err != nil {
		panic(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, "migrations/"+e.Name())
	}
	slices.Sort(names)
	return names
}

// SchemaVersion is the store schema this build writes.
func SchemaVersion() int { return len(migrations()) }

func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var hasMeta, n int
	if err := s.conn.QueryRowContext(ctx, sqlfiles.Get("engine/has_meta.sql")).Scan(&hasMeta); err != nil {
		return 0, err
	}
	if hasMeta > 0 {
		err := s.conn.QueryRowContext(ctx, sqlfiles.Get("engine/schema_version.sql")).Scan(&n)
		return n, err
	}
	var tables int
	if err := s.conn.QueryRowContext(ctx, sqlfiles.Get("engine/user_tables.sql")).Scan(&tables); err != nil {
		return 0, err
	}
	if tables > 0 {
		return 0, fmt.Errorf("%s is a DuckDB file but not a mosaic store (it has %d tables of its own); point state: at a new file", s.path, tables)
	}
	return 0, nil
}

// migrate applies the pending migrations in one transaction.
func (s *Store) migrate(ctx context.Context, readOnly bool) error {
	have, err := s.schemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	all := migrations()
	switch {
	case have > len(all):
		return fmt.Errorf("store %s has schema version %d, this mosaic knows up to %d: %w; upgrade mosaic", s.path, have, len(all), ErrNewerStore)
	case have == len(all):
		return nil
	case readOnly:
		return fmt.Errorf("store %s has schema version %d and needs migrating to %d: run `mosaic run` once with this mosaic", s.path, have, len(all))
	}
	if have > 0 {
		// Some migrations rewrite the largest tables: minutes at 10M users.
		s.log.Info("migrating store", "store", s.path, "from", have, "to", len(all))
	}
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	for i := have; i < len(all); i++ {
		if _, err := s.conn.ExecContext(ctx, sqlfiles.Get(all[i])); err != nil {
			s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			return fmt.Errorf("migrate store %s to version %d (%s): %w", s.path, i+1, all[i], err)
		}
	}
	if _, err := s.conn.ExecContext(ctx, sqlfiles.Get("engine/set_schema_version.sql"), strconv.Itoa(len(all))); err != nil {
		s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("migrate store %s: %w", s.path, err)
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("migrate store %s: %w", s.path, err)
	}
	s.log.Info("store migrated", "store", s.path, "from", have, "to", len(all))
	return nil
}
