package outputs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// sync is one output's sync in progress.
type sync struct {
	conn   *sql.Conn
	store  *engine.Store
	o      *config.Output
	op     string // what added and changed records carry
	fields []string
	res    *Result
	log    *slog.Logger
	// pending is how many rows _out_pending holds, valid how many desired
	// records are valid, sweepable how many held records no forget
	// request claims.
	pending, valid, sweepable int64
	// emptyMirror is set when a mirror output's set came out empty while
	// it holds records (and allow_empty is not set): the sync refuses.
	emptyMirror bool
	// refresh is the destination's RefreshAfter (0: never); clock is
	// Options.Now.
	refresh time.Duration
	clock   time.Time
	// from is where an events output with no position yet starts (plan):
	// the sync records it before it sends anything.
	from sql.NullInt64
}

// now is the sync's clock: Options.Now, else the wall clock.
func (sy *sync) now() time.Time {
	if !sy.clock.IsZero() {
		return sy.clock
	}
	return time.Now()
}

// syncOne syncs output o. Its result's Err says why it failed; an error
// wrapping errStore means the store itself failed.
func (s *Syncer) syncOne(ctx context.Context, store *engine.Store, p *config.Pipeline, o *config.Output, runID int64, opts Options, log *slog.Logger) Result {
	res := Result{Output: o.Name, RunID: runID}
	sy := &sync{conn: store.Conn(), store: store, o: o, res: &res, log: log.With("output", o.Name), clock: opts.Now}
	defer sy.dropTemp(context.WithoutCancel(ctx))
	if !opts.DryRun {
		// What a sync that died acknowledged counts as held.
		if err := sy.fold(ctx); err != nil {
			res.Status, res.Err = StatusFailed, err
			return res
		}
	}
	var err error
	if sy.refresh, err = s.refreshAfter(o, p); err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	if err := sy.plan(ctx, p); err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	total := sy.pending
	if opts.DryRun {
		res.Status = StatusDryRun
		if sy.emptyMirror { // the sync would be refused: say so, as it would
			res.Status, res.Err = StatusFailed, sy.emptyMirrorErr()
		}
		if n := min(int64(opts.Samples), total); n > 0 {
			if res.Samples, _, res.Err = sy.page(ctx, 1, n); res.Err != nil {
				res.Status = StatusFailed
				return res
			}
		}
		if total > 0 {
			if res.Err = s.check(ctx, sy, p, total, opts.Samples); res.Err != nil {
				res.Status = StatusFailed
			}
		}
		return res
	}
	if err := sy.keepStart(ctx); err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	if err := sy.start(ctx); err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	if total > 0 {
		err = s.deliver(ctx, sy, p, total)
	}
	if err == nil && sy.emptyMirror {
		err = sy.emptyMirrorErr()
	}
	// Whatever happened, what was acknowledged is held.
	if ferr := sy.fold(context.WithoutCancel(ctx)); ferr != nil && err == nil {
		err = ferr
	}
	// Records the destination refused do not hold an events output back,
	// unless it took none: refusing all is the destination's fault (a
	// schema change, a bad endpoint), not the records'.
	if err == nil && o.Send == config.SendEvents && (res.Failed == 0 || res.Failed < total) {
		err = sy.advance(ctx)
	}
	if err == nil && res.Failed == 0 {
		err = sy.pendingDone(ctx)
	}
	if herr := sy.conn.QueryRowContext(context.WithoutCancel(ctx), sqlfiles.Get("outputs/holds.sql"), o.Name).Scan(&res.Holds); herr != nil && err == nil {
		err = storeErr("outputs/holds.sql", herr)
	}
	res.Status = StatusSucceeded
	switch {
	case err != nil && ctx.Err() != nil:
		res.Status, res.Err = StatusCancelled, err
	case err != nil:
		res.Status, res.Err = StatusFailed, err
	case res.Failed > 0:
		res.Status = StatusFailed
		res.Err = fmt.Errorf("%d of %d records failed; they are in output_failures and are sent again at the next sync", res.Failed, total)
	}
	if ferr := sy.finish(context.WithoutCancel(ctx)); ferr != nil && res.Err == nil {
		res.Status, res.Err = StatusFailed, ferr
	}
	return res
}

// exec runs a statement of the named SQL file on the store's connection,
// logging its time at debug level.
func (sy *sync) exec(ctx context.Context, file, q string, args ...any) error {
	start := time.Now()
	res, err := sy.conn.ExecContext(ctx, q, args...)
	if err != nil {
		return storeErr(file, err)
	}
	n, _ := res.RowsAffected()
	sy.log.Debug("sql", "file", file, "rows", n, "ms", time.Since(start).Milliseconds())
	return nil
}

// storeErr wraps a failed statement of the named SQL file as a store error.
func storeErr(file string, err error) error {
	return fmt.Errorf("%w: %s: %w", errStore, file, err)
}

// dropTemp drops the sync's temporary tables; a failure is only logged.
func (sy *sync) dropTemp(ctx context.Context) {
	stmts, err := sqlfiles.File("outputs/drop_temp.sql", nil)
	for _, s := range stmts {
		if err == nil {
			_, err = sy.conn.ExecContext(ctx, s.SQL)
			err = s.Wrap(err)
		}
	}
	if err != nil {
		sy.log.Warn("dropping the sync's temporary tables failed", "err", err)
	}
}

// start records the sync as running and takes its number.
func (sy *sync) start(ctx context.Context) error {
	r := sy.res
	if err := sy.conn.QueryRowContext(ctx, sqlfiles.Get("outputs/next_sync_id.sql")).Scan(&r.SyncID); err != nil {
		return storeErr("outputs/next_sync_id.sql", err)
	}
	if err := sy.exec(ctx, "outputs/sync_interrupted.sql", sqlfiles.Get("outputs/sync_interrupted.sql"), sy.o.Name); err != nil {
		return err
	}
	return sy.exec(ctx, "outputs/sync_start.sql", sqlfiles.Get("outputs/sync_start.sql"), r.SyncID, sy.o.Name, r.RunID, sy.now())
}

// finish records how the sync ended.
func (sy *sync) finish(ctx context.Context) error {
	r := sy.res
	var msg any
	if r.Err != nil {
		msg = r.Err.Error()
	}
	return sy.exec(ctx, "outputs/sync_finish.sql", sqlfiles.Get("outputs/sync_finish.sql"), r.SyncID, r.Status,
		r.Added, r.Changed, r.Removed, r.Invalid, r.Failed, msg, sy.now(), r.Refreshed)
}

// keepStart records where a new events output starts as its position,
// before its first sync sends anything: should that sync fail, the next
// one, after later runs, still starts there and sends what this one did
// not deliver.
func (sy *sync) keepStart(ctx context.Context) error {
	if !sy.from.Valid {
		return nil
	}
	return sy.exec(ctx, "outputs/advance.sql", sqlfiles.Get("outputs/advance.sql"), sy.o.Name, sy.from.Int64)
}

// advance moves an events output's position to the sync's run: it has
// forwarded every batch up to it but those the destination refused, which
// it owes (owed.sql) and forwards again at its next syncs.
func (sy *sync) advance(ctx context.Context) error {
	tx, err := sy.store.Begin(ctx)
	if err != nil {
		return storeErr("outputs/advance.sql", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, sqlfiles.Get("outputs/advance.sql"), sy.o.Name, sy.res.RunID); err != nil {
		return storeErr("outputs/advance.sql", err)
	}
	if err := tx.ExecFile(ctx, "outputs/owed.sql", nil, sy.o.Name); err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	for _, f := range []string{"outputs/forget_delivered.sql", "outputs/forget_forwarded.sql"} {
		if _, err := tx.Exec(ctx, sqlfiles.Get(f), sy.o.Name); err != nil {
			return storeErr(f, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return storeErr("outputs/advance.sql", err)
	}
	return nil
}

// pending is one record of _out_pending.
type pending struct {
	n   int64
	rec connectors.Record
	// payload is the record's whole payload, nulls included.
	payload string
}

// page reads pending records lo to hi as the destination gets them, as
// Arrow record batches (no row-at-a-time scanning).
func (sy *sync) page(ctx context.Context, lo, hi int64) ([]connectors.Record, []pending, error) {
	recs := make([]connectors.Record, 0, hi-lo+1)
	ps := make([]pending, 0, hi-lo+1)
	err := sy.store.ScanArrow(ctx, func(b arrow.RecordBatch) error {
		ns, changes := b.Column(0).(*array.Int64), b.Column(1).(*array.String)
		keys, fields := b.Column(2).(*array.String), b.Column(3).(*array.String)
		payloads, hashes := b.Column(4).(*array.String), b.Column(5).(*array.String)
		refreshes, since := b.Column(6).(*array.String), b.Column(7).(*array.Int64)
		for i := range int(b.NumRows()) {
			// Strings from the batch alias its buffers: what outlives the
			// callback is cloned.
			p := pending{n: ns.Value(i), payload: strings.Clone(payloads.Value(i))}
			p.rec = connectors.Record{Op: sy.op, Key: strings.Clone(keys.Value(i)), Fields: json.RawMessage(strings.Clone(fields.Value(i)))}
			if change := changes.Value(i); change == "removed" || change == "replaced" || change == "forgotten" {
				p.rec.Op, p.rec.Forget = connectors.OpRemove, change == "forgotten"
			}
			// A refresh is keyed apart from the delivery it refreshes.
			p.rec.IdempotencyKey = idempotencyKey(sy.o.Name, p.rec.Key, p.rec.Op, hashes.Value(i), since.Value(i), refreshes.Value(i))
			recs = append(recs, p.rec)
			ps = append(ps, p)
		}
		return nil
	}, sqlfiles.Get("outputs/page.sql"), lo, hi, sy.skipNulls(), sy.res.SyncID)
	if err != nil {
		return nil, nil, storeErr("outputs/page.sql", err)
	}
	return recs, ps, nil
}

// skipNulls tells whether records go without their null fields: under
// `nulls: skip`, except an events output's, whose records are batches
// forwarded with every field they had (a receiver told push_token: null
// learns that the device has none; one left without it does not).
func (sy *sync) skipNulls() bool {
	return sy.o.Nulls == config.NullsSkip && sy.o.Send != config.SendEvents
}

// idempotencyKey is stable for one output, key, operation and payload,
// the sync at which that delivery was first pending (since), and for a
// refresh the time of the delivery it refreshes ("" otherwise). since sets
// a delivery apart from an equal one before it (gold, silver, then gold
// again): the payload alone would give the third the first's key, and a
// receiver that drops repeats would keep silver. It stays the same for
// every attempt at the delivery until one is acknowledged (output_pending).
func idempotencyKey(output, key, op, hash string, since int64, refreshes string) string {
	h := sha256.New()
	for _, s := range []string{output, key, op, hash, strconv.FormatInt(since, 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if refreshes != "" {
		h.Write([]byte("refresh " + refreshes))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// ack records the acknowledgement of pending records lo to hi but those
// numbered in failed: one small append, committed before the next batch
// goes.
func (sy *sync) ack(ctx context.Context, lo, hi int64, failed []int64) error {
	if failed == nil {
		failed = []int64{}
	}
	return sy.exec(ctx, "outputs/ack.sql", sqlfiles.Get("outputs/ack.sql"), sy.o.Name, sy.res.SyncID, sy.res.RunID, lo, hi, failed, sy.now())
}

// fold moves the output's acknowledgements into what it holds, in one
// transaction.
func (sy *sync) fold(ctx context.Context) error {
	tx, err := sy.store.Begin(ctx)
	if err != nil {
		return storeErr("outputs/fold.sql", err)
	}
	defer tx.Rollback(ctx)
	if err := tx.ExecFile(ctx, "outputs/fold.sql", nil, sy.o.Name); err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return storeErr("outputs/fold.sql", err)
	}
	return nil
}

// fail records pending records ps as failed, each with its error in
// errs, in one statement.
func (sy *sync) fail(ctx context.Context, ps []pending, errs []error) error {
	if len(ps) == 0 {
		return nil
	}
	sy.res.Failed += int64(len(ps))
	keys, ops, msgs, payloads := make([]string, len(ps)), make([]string, len(ps)), make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		keys[i], ops[i], msgs[i], payloads[i] = p.rec.Key, p.rec.Op, errs[i].Error(), p.payload
	}
	return sy.exec(ctx, "outputs/failure.sql", sqlfiles.Get("outputs/failure.sql"), sy.res.SyncID, sy.o.Name, sy.res.RunID,
		keys, ops, msgs, payloads)
}
