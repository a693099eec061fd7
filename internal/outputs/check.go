package outputs

import (
	"context"
	"fmt"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// check has a dry run's pending records checked by the output's
// destination when it is a connectors.Validator: the batches a sync would
// Write, through the Writer of OpenValidate, which applies nothing. It
// records nothing in the store. What the destination answers, its
// failure included, goes in the result's Check; the error returned is the
// store's.
func (s *Syncer) check(ctx context.Context, sy *sync, p *config.Pipeline, total int64, samples int) error {
	d, err := s.Registry.Destination(sy.o.Kind)
	if err != nil {
		return err
	}
	v, ok := d.(connectors.Validator)
	if !ok {
		return nil
	}
	c := &Check{}
	sy.res.Check = c
	sy.batchSize(d)
	w, err := v.OpenValidate(ctx, connectors.OutputRequest{Output: *sy.o, Fields: sy.fields, Resolve: p.Resolve})
	if err != nil {
		c.Err = err
		return nil
	}
	defer func() {
		if cerr := w.Close(); cerr != nil {
			sy.log.Warn("closing the destination failed", "err", cerr)
		}
	}()
	size := int64(sy.o.BatchSize)
	for lo := int64(1); lo <= total; lo += size * pageBatches {
		recs, _, err := sy.page(ctx, lo, min(lo+size*pageBatches-1, total))
		if err != nil {
			return err
		}
		for b := 0; b < len(recs); b += int(size) {
			e := min(b+int(size), len(recs))
			errs, werr := w.Write(ctx, connectors.Batch{Output: sy.o.Name, RunID: sy.res.RunID, Records: recs[b:e]})
			if werr == nil && len(errs) != e-b {
				werr = fmt.Errorf("destination %s answered %d results for %d records", sy.o.Kind, len(errs), e-b)
			}
			if werr != nil {
				c.Err = werr
				return nil
			}
			for i, rerr := range errs {
				switch {
				case rerr == nil:
				case !connectors.IsRecordError(rerr):
					// Not an answer about the record: the check stops.
					c.Checked += int64(i)
					c.Err = rerr
					return nil
				default:
					c.Rejected++
					if len(c.Rejections) < samples {
						r := recs[b+i]
						c.Rejections = append(c.Rejections, Rejection{Op: r.Op, Key: r.Key, Reason: rerr.Error()})
					}
				}
			}
			c.Checked += int64(e - b)
		}
	}
	return nil
}
