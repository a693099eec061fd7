package outputs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// plan fills _out_desired and _out_pending and counts them.
func (sy *sync) plan(ctx context.Context, p *config.Pipeline) error {
	o := sy.o
	q, fields, op, err := desiredSQL(p, o, slices.IndexFunc(p.Outputs, func(x config.Output) bool { return x.Name == o.Name }))
	if err != nil {
		return err
	}
	sy.fields, sy.op = fields, op
	file, args := "outputs/"+o.Send+".sql.tmpl", []any(nil)
	if o.Send == config.SendEvents {
		file = "outputs/events.sql"
		var pos sql.NullInt64
		if err := sy.conn.QueryRowContext(ctx, sqlfiles.Get("outputs/position.sql"), o.Name).Scan(&pos); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return storeErr("outputs/position.sql", err)
		}
		// A new events output starts with the batches of the run it
		// first syncs after (keepStart records that).
		start := sy.res.RunID - 1
		if pos.Valid {
			start = pos.Int64
		} else {
			sy.from = sql.NullInt64{Int64: start, Valid: true}
		}
		args = eventsArgs(p, o, start, sy.res.RunID)
	}
	if err := sy.exec(ctx, file, q, args...); err != nil {
		return err
	}
	if err := sy.pendingSQL(ctx, o.Mode == config.ModeMirror); err != nil {
		return err
	}
	if err := sy.count(ctx); err != nil {
		return err
	}
	if o.Mode == config.ModeMirror && sy.valid == 0 && sy.sweepable > 0 && !o.AllowEmpty {
		// Refuse the sweep, but still send what forget requests owe.
		sy.emptyMirror = true
		if err := sy.pendingSQL(ctx, false); err != nil {
			return err
		}
		return sy.count(ctx)
	}
	return nil
}

// pendingSQL fills _out_pending (pending.sql); sweep removes what is no
// longer desired (a mirror's).
func (sy *sync) pendingSQL(ctx context.Context, sweep bool) error {
	o := sy.o
	var keep any // NULL: every field
	if f := forgetFields(o); f != nil {
		keep = f
	}
	return sy.exec(ctx, "outputs/pending.sql", sqlfiles.Get("outputs/pending.sql"), o.Name, o.Mode != config.ModeInsert, sweep,
		o.Send == config.SendAudience, int64(sy.refresh/time.Second), sy.now(), keep)
}

// forgetFields names the fields a record of a profile `mosaic forget`
// erased keeps from the payload last delivered: those that identify the
// person (its MPID, its identities), for the receiver to find what it
// holds, and none of what it says about them. nil keeps them all: an
// audience record's fields are the audience, the MPID and identities.
func forgetFields(o *config.Output) []string {
	if o.Send != config.SendProfiles {
		return nil
	}
	keep := []string{}
	for name, src := range o.Fields {
		if src == "mpid" || strings.HasPrefix(src, "identity.") {
			keep = append(keep, name)
		}
	}
	slices.Sort(keep)
	return keep
}

// count reads the sync's counts (counts.sql).
func (sy *sync) count(ctx context.Context) error {
	r := sy.res
	if err := sy.conn.QueryRowContext(ctx, sqlfiles.Get("outputs/counts.sql"), sy.o.Name).Scan(
		&r.Added, &r.Changed, &r.Removed, &r.Invalid, &sy.valid, &r.Holds, &sy.pending, &sy.sweepable, &r.Refreshed); err != nil {
		return storeErr("outputs/counts.sql", err)
	}
	return nil
}

// emptyMirrorErr is why a mirror whose records came out empty while it
// holds delivered ones (emptyMirror) removes none of them.
func (sy *sync) emptyMirrorErr() error {
	return fmt.Errorf("its records came out empty while it holds %d delivered ones: refusing to remove them all, since a feed that broke must not empty the destination. If the set is meant to be empty, set `allow_empty: true` on the output", sy.sweepable)
}
