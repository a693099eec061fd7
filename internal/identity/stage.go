package identity

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of the run's transaction (engine.Tx).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	ScanArrow(ctx context.Context, fn func(arrow.RecordBatch) error, query string, args ...any) error
	StageBuilder(ctx context.Context, table string, b *array.RecordBuilder) error
	DropTemp(ctx context.Context, table string)
}

// Stats counts what the stage did in a run.
type Stats struct {
	Rows    int64            `json:"rows"`
	Created int64            `json:"created"`
	Updated int64            `json:"updated"`
	Merged  int64            `json:"merged"`
	Dropped map[string]int64 `json:"dropped,omitempty"`
}

var temps = []string{"_id_run", "_id_reach", "_id_profiles", "_id_holdings", "_id_gone", "_id_aliases", "_id_rows", "_id_drops"}

// Run resolves the identities of run runID's staged rows into profiles.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64) (Stats, error) {
	defer func() {
		for _, t := range temps {
			db.DropTemp(ctx, t)
		}
	}()
	order := p.IdentityOrder()
	for _, q := range []string{"identity/intern.sql", "identity/run_identities.sql"} {
		if _, err := db.Exec(ctx, sqlfiles.Get(q), runID); err != nil {
			return Stats{}, fmt.Errorf("identity: %s: %w", q, err)
		}
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("identity/reach.sql")); err != nil {
		return Stats{}, fmt.Errorf("identity: reach: %w", err)
	}
	k := New(rules(p, order))
	if err := load(ctx, db, k, order); err != nil {
		return Stats{}, err
	}
	st := Stats{Dropped: map[string]int64{}}
	err := scanRows(ctx, db, p, order, func(r *Row) {
		st.Rows++
		k.Apply(r)
	})
	if err != nil {
		return st, err
	}
	res := k.Result()
	st.Created, st.Updated, st.Merged = int64(res.Created), int64(res.Updated), int64(len(res.Gone))
	for _, d := range res.Drops {
		st.Dropped[d.Reason]++
	}
	if err := write(ctx, db, res); err != nil {
		return st, err
	}
	for _, q := range sqlfiles.Statements(sqlfiles.Get("identity/apply.sql")) {
		if _, err := db.Exec(ctx, q, runID); err != nil {
			return st, fmt.Errorf("identity: apply: %w", err)
		}
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("identity/drops.sql"), runID); err != nil {
		return st, fmt.Errorf("identity: record drops: %w", err)
	}
	return st, nil
}

func rules(p *config.Pipeline, order []string) Rules {
	r := Rules{Unique: make([]bool, len(order)), Limit: make([]int, len(order))}
	for i, t := range order {
		r.Unique[i] = slices.Contains(p.Identity.Unique, t)
		r.Limit[i] = p.Identity.Limits[t]
	}
	for _, f := range p.Feeds {
		r.Feeds = append(r.Feeds, f.Name)
	}
	return r
}

// protections maps feed positions to protection levels.
func protections(p *config.Pipeline) []Protection {
	out := make([]Protection, len(p.Feeds))
	for i, f := range p.Feeds {
		switch f.Protection {
		case config.OnlyUpdate:
			out[i] = OnlyUpdate
		case config.OnlyRead:
			out[i] = OnlyRead
		}
	}
	return out
}
