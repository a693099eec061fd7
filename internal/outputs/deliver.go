package outputs

import (
	"context"
	"fmt"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// pageBatches is how many batches one read of pending records holds.
const pageBatches = 20

// defaultBatchSize is the batch size of an output that sets none, unless
// its destination is a connectors.BatchSizer.
const defaultBatchSize = 500

// deliver sends the pending records to the output's destination: all at
// once to a Copier, else in batches, each acknowledged in the store before
// the next one goes.
func (s *Syncer) deliver(ctx context.Context, sy *sync, p *config.Pipeline, total int64) error {
	d, err := s.Registry.Destination(sy.o.Kind)
	if err != nil {
		return err
	}
	sy.batchSize(d)
	w, err := d.Open(ctx, connectors.OutputRequest{Output: *sy.o, Fields: sy.fields, Resolve: p.Resolve, State: &outputState{sy}})
	if err != nil {
		sy.res.Failed = total
		return err
	}
	defer func() {
		if cerr := w.Close(); cerr != nil {
			sy.log.Warn("closing the destination failed", "err", cerr)
		}
	}()
	if c, ok := w.(connectors.Copier); ok {
		return sy.copy(ctx, c, total)
	}
	if err := sy.keepPending(ctx); err != nil {
		sy.res.Failed = total
		return err
	}
	return sy.eachBatch(ctx, w, total, func(recs []connectors.Record, ps []pending, errs []error, werr error) (bool, error) {
		if werr != nil {
			// Nothing of this batch was delivered, and the destination is
			// down (or the sync was stopped, which refused nothing): leave
			// the rest for the next sync.
			if ctx.Err() != nil {
				sy.res.Failed += total - ps[0].n + 1
				return false, werr
			}
			batchErrs := make([]error, len(ps))
			for i := range batchErrs {
				batchErrs[i] = werr
			}
			if err := sy.fail(context.WithoutCancel(ctx), ps, batchErrs); err != nil {
				return false, err
			}
			sy.res.Failed += total - ps[len(ps)-1].n
			return false, werr
		}
		var failed []int64
		var failedPs []pending
		var failedErrs []error
		for i, rerr := range errs {
			if rerr != nil {
				failed = append(failed, ps[i].n)
				failedPs, failedErrs = append(failedPs, ps[i]), append(failedErrs, rerr)
			}
		}
		if err := sy.fail(context.WithoutCancel(ctx), failedPs, failedErrs); err != nil {
			return false, err
		}
		// Each batch's acknowledgement commits before the next batch goes:
		// a kill resends at most the batch in flight.
		if err := sy.ack(context.WithoutCancel(ctx), ps[0].n, ps[len(ps)-1].n, failed); err != nil {
			return false, err
		}
		if err := ctx.Err(); err != nil {
			sy.res.Failed += total - ps[len(ps)-1].n
			return false, err
		}
		return true, nil
	})
}

// eachBatch writes the pending records 1..total to w, paged from the
// store, in batches of the output's size, in order, and hands fn each
// batch's records, their positions and what Write answered (one result a
// record, else werr); fn returns false, or an error, to stop.
func (sy *sync) eachBatch(ctx context.Context, w connectors.Writer, total int64,
	fn func(recs []connectors.Record, ps []pending, errs []error, werr error) (bool, error)) error {
	size := int64(sy.o.BatchSize)
	for lo := int64(1); lo <= total; lo += size * pageBatches {
		recs, ps, err := sy.page(ctx, lo, min(lo+size*pageBatches-1, total))
		if err != nil {
			return err
		}
		for b := 0; b < len(recs); b += int(size) {
			e := min(b+int(size), len(recs))
			errs, werr := w.Write(ctx, connectors.Batch{Output: sy.o.Name, RunID: sy.res.RunID, Records: recs[b:e]})
			if werr == nil && len(errs) != e-b {
				werr = fmt.Errorf("destination %s answered %d results for %d records", sy.o.Kind, len(errs), e-b)
			}
			if more, err := fn(recs[b:e], ps[b:e], errs, werr); err != nil || !more {
				return err
			}
		}
	}
	return nil
}

// batchSize sets the output's batch size when it sets none: the
// destination's default, else defaultBatchSize.
func (sy *sync) batchSize(d connectors.Destination) {
	if sy.o.BatchSize == 0 {
		sy.o.BatchSize = defaultBatchSize
		if bs, ok := d.(connectors.BatchSizer); ok {
			sy.o.BatchSize = bs.DefaultBatchSize()
		}
	}
}

// copy hands every pending record to a Copier.
func (sy *sync) copy(ctx context.Context, c connectors.Copier, total int64) error {
	req := connectors.CopyRequest{
		Output: sy.o.Name, RunID: sy.res.RunID, SyncID: sy.res.SyncID, Count: total, Fields: sy.fields,
		To: func(ctx context.Context, path, format string) error {
			data := struct {
				Op, Path, Options string
				Fields            []string
				Text, Whole       bool
			}{Op: sy.op, Path: path, Fields: sy.fields, Text: format != "ndjson", Whole: sy.o.Send == config.SendEvents}
			switch format {
			case "ndjson":
				data.Options = "FORMAT json"
			case "csv":
				data.Options = "FORMAT csv, HEADER"
			case "parquet":
				data.Options = "FORMAT parquet"
			default:
				return fmt.Errorf("unknown file format %q: use ndjson, csv or parquet", format)
			}
			q, err := sqlfiles.Render("outputs/copy.sql.tmpl", data)
			if err != nil {
				return err
			}
			return sy.exec(ctx, "outputs/copy.sql.tmpl", q)
		},
	}
	if err := c.Copy(ctx, req); err != nil {
		sy.res.Failed = total
		return err
	}
	return sy.ack(context.WithoutCancel(ctx), 1, total, nil)
}

// keepPending records what the sync is about to send, each delivery with
// the sync at which it was first pending, in place of what the last sync
// set out to send: the idempotency keys of the records derive from it, so
// that the next sync sends what this one could not deliver (or died
// delivering) with the same keys. Only writers get keys: a Copier's
// output has none to keep.
func (sy *sync) keepPending(ctx context.Context) error {
	tx, err := sy.store.Begin(ctx)
	if err != nil {
		return storeErr("outputs/pending_keep.sql", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, sqlfiles.Get("outputs/pending_done.sql"), sy.o.Name); err != nil {
		return storeErr("outputs/pending_done.sql", err)
	}
	if _, err := tx.Exec(ctx, sqlfiles.Get("outputs/pending_keep.sql"), sy.o.Name, sy.res.SyncID); err != nil {
		return storeErr("outputs/pending_keep.sql", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return storeErr("outputs/pending_keep.sql", err)
	}
	return nil
}

// pendingDone forgets what the sync set out to send once it owes nothing:
// a later delivery of any record is a new one, with a key of its own.
func (sy *sync) pendingDone(ctx context.Context) error {
	return sy.exec(ctx, "outputs/pending_done.sql", sqlfiles.Get("outputs/pending_done.sql"), sy.o.Name)
}
