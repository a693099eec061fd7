package identity

import (
	"context"
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of the run's transaction (engine.Tx).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	ExecFile(ctx context.Context, name string, data any, args ...any) error
	ExecStatement(ctx context.Context, s sqlfiles.Statement, args ...any) (int64, error)
	ExecUnordered(ctx context.Context, query string, args ...any) (int64, error)
	ScanArrow(ctx context.Context, fn func(arrow.RecordBatch) error, query string, args ...any) error
	StageBuilder(ctx context.Context, table string, b *array.RecordBuilder) error
	InsertBuilder(ctx context.Context, name string, b *array.RecordBuilder, args ...any) (int64, error)
	DropTemp(ctx context.Context, table string)
	// LendMemory lowers DuckDB's memory limit, if it can, until the
	// returned func is called (memory.go).
	LendMemory(ctx context.Context, limit string) (giveBack func(context.Context) error)
}

// Stats counts what the stage did in a run.
type Stats struct {
	Rows    int64 `json:"rows"`
	Created int64 `json:"created"`
	// Matched counts the profiles that existed before the run and that a
	// row matched, whether it changed them or not (Updated counts those
	// whose updated_at the run moved).
	Matched int64 `json:"matched"`
	Merged  int64 `json:"merged"`
	// IdentitiesAdded counts the identities rows added to profiles (not
	// those a merge moved).
	IdentitiesAdded int64            `json:"identities_added"`
	Dropped         map[string]int64 `json:"dropped,omitempty"`
	// Largest are the run's largest profiles (largest.go).
	Largest []Profile `json:"largest,omitempty"`
	// SharedValues counts the identity values identity.max_shared kept
	// from linking; Shared names the most shared of them (shared.go).
	SharedValues int64    `json:"shared_values,omitempty"`
	Shared       []Shared `json:"shared,omitempty"`
}

var (
	resultTemps = []string{"_id_profiles", "_id_gone", "_id_aliases", "_id_drops"}
	temps       = append([]string{"_id_groups", "_id_named", "_id_reach", "_id_shared"}, resultTemps...)
)

// Run resolves the identities of run runID's staged rows into profiles.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64) (Stats, error) {
	defer func() {
		for _, t := range temps {
			db.DropTemp(ctx, t)
		}
	}()
	order := p.IdentityOrder()
	start, err := queryStart(ctx, db, runID)
	if err != nil || start.rows == 0 {
		return Stats{}, err // no rows: a run with nothing new
	}
	maxIdent := start.maxIdent
	if err := group(ctx, db, runID, order, start); err != nil {
		return Stats{}, err
	}
	nShared, shared, err := unlinkShared(ctx, db, p, runID)
	if err != nil {
		return Stats{}, err
	}
	if err := db.ExecFile(ctx, "identity/reach.sql", nil, runID); err != nil {
		return Stats{}, fmt.Errorf("identity: %w", err)
	}
	rr, err := readRun(ctx, db, p, runID)
	if err != nil {
		return Stats{}, err
	}
	// Adding the run's new identities to the dictionary needs nothing the
	// kernel computes, and arranging the rows in Go leaves a core idle
	// about half its time: they run together. Only drops.sql, at the end,
	// reads the new identities' values.
	interned := make(chan error, 1)
	go func() { interned <- db.ExecFile(ctx, "identity/intern.sql", nil) }()
	if err := rr.prepare(ctx, db, interned); err != nil {
		return Stats{}, err
	}
	for _, id := range rr.idents { // the run's new identities are past the old largest id
		maxIdent = max(maxIdent, id.ID)
	}
	st, ins, err := resolve(ctx, db, p, order, rr, runID, maxIdent)
	if err != nil {
		return st, err
	}
	st.SharedValues, st.Shared = nShared, shared
	if err := db.ExecFile(ctx, "identity/apply.sql", nil, runID); err != nil {
		ins.release()
		return st, fmt.Errorf("identity: %w", err)
	}
	if err := ins.insert(ctx, db); err != nil {
		return st, err
	}
	freeHeap() // the rows, the kernels and their result, once DuckDB holds what it needs
	if len(st.Dropped) == 0 {
		return st, nil // the statement would still scan the run's rows
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("identity/drops.sql"), runID); err != nil {
		return st, fmt.Errorf("identity: record drops: %w", err)
	}
	return st, nil
}

// resolve runs the kernel over the run's rows, stages its result and
// returns what goes straight into the store (write). The
// kernel knows only the store's MPIDs near the run's seeds; when a new
// profile lands on another one (collisions.sql), it runs again with those
// marked taken, until none does. The check is needed only when a new
// profile's MPID lies outside the buckets taken.sql loaded (Result.Far).
// The last pass empties rr before write, which needs none of it.
func resolve(ctx context.Context, db DB, p *config.Pipeline, order []string, rr *runRows, runID, maxIdent int64) (Stats, inserts, error) {
	var taken []int64
	for {
		k := New(rules(p, order), maxIdent, 0, 0)
		for _, m := range taken {
			k.Taken(m)
		}
		if err := load(ctx, db, k, order, runID); err != nil {
			return Stats{}, nil, err
		}
		st := Stats{Rows: int64(len(rr.id)), Dropped: map[string]int64{}}
		giveBack := lendMemory(ctx, db, len(rr.id))
		res, ok := Result{}, false
		if k.fresh() { // a first run: nothing links its parts but rule 9
			res, ok = rr.applyParts(k.rules, k.taken)
		}
		if !ok {
			rr.each(k.Apply)
			res = k.Result()
		}
		if res.Far == 0 {
			*rr = runRows{} // no pass follows this one (below): the rows are done with
		}
		freeHeap() // the rows and the kernels' state, before write builds its tables
		if err := giveBack(ctx); err != nil {
			return st, nil, err
		}
		st.Created, st.Matched, st.Merged = int64(res.Created), int64(res.Matched), int64(len(res.Gone))
		st.IdentitiesAdded = int64(res.IdentitiesAdded)
		st.Largest = largest(res)
		for _, d := range res.Drops {
			st.Dropped[d.Reason]++
		}
		ins, err := write(ctx, db, res, order, runID)
		if err != nil {
			return st, nil, err
		}
		if res.Far == 0 {
			return st, ins, nil // every new MPID lies in buckets taken.sql loaded in full
		}
		n := len(taken)
		err = db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
			taken = append(taken, ints(rec, 0)...)
			return nil
		}, sqlfiles.Get("identity/collisions.sql"))
		if err != nil {
			ins.release()
			return st, nil, fmt.Errorf("identity: check new MPIDs: %w", err)
		}
		if len(taken) == n {
			return st, ins, nil
		}
		ins.release()
		for _, t := range resultTemps {
			db.DropTemp(ctx, t)
		}
	}
}

// runStart is what start.sql reads before the stage begins: the largest
// interned identity id, the run's rows, their identity values and
// DuckDB's memory limit.
type runStart struct {
	maxIdent, rows, values int64
	memoryLimit            string
}

func queryStart(ctx context.Context, db DB, runID int64) (runStart, error) {
	var st runStart
	err := db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		st = runStart{maxIdent: ints(rec, 0)[0], rows: ints(rec, 1)[0], values: ints(rec, 2)[0],
			memoryLimit: strings.Clone(rec.Column(3).(*array.String).Value(0))} // the record's buffers go after fn
		return nil
	}, sqlfiles.Get("identity/start.sql"), runID)
	if err != nil {
		return runStart{}, fmt.Errorf("identity: %w", err)
	}
	return st, nil
}

// group makes _id_groups (groups.sql.tmpl), in as many passes as the
// memory limit needs (groupPasses).
func group(ctx context.Context, db DB, runID int64, order []string, st runStart) error {
	passes := groupPasses(st.values, st.memoryLimit)
	groups, err := sqlfiles.File("identity/groups.sql.tmpl", map[string]any{"Start": st.maxIdent + 1, "Empty": st.maxIdent == 0, "Passes": passes})
	if err != nil {
		return err
	}
	for _, s := range groups {
		if s.Name != "groups" {
			if _, err := db.ExecStatement(ctx, s); err != nil {
				return fmt.Errorf("identity: %w", err)
			}
			continue
		}
		for pass := range passes {
			args := []any{runID, order}
			if passes > 1 {
				args = append(args, pass)
			}
			// Unordered: in parallel, and a pass that finds no value
			// cannot make the next lose its rows (engine.Tx.ExecUnordered).
			if _, err := db.ExecUnordered(ctx, s.SQL, args...); err != nil {
				return fmt.Errorf("identity: grouping pass %d of %d: %w", pass+1, passes, s.Wrap(err))
			}
		}
	}
	return nil
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

// bigHeap is the Go heap above which freeHeap collects.
const bigHeap = 256 << 20

// freeHeap returns the Go heap to the system when it is big. At the end
// of the stage the run's rows, the kernels and their result are written
// and garbage (about 2 GiB at 1M users): returned before the later stages
// make DuckDB's buffers grow, they are not counted twice at the run's
// peak (kept until Go's scavenger got to them, a first run at 1M users
// peaked at up to 6.19 GiB instead of 5.75). A small run's heap
// is not worth the full collection, which would also pause a server's
// requests.
func freeHeap() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() >= bigHeap {
		debug.FreeOSMemory()
	}
}
