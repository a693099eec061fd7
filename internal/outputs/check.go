package outputs

import (
	"context"

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
	return sy.eachBatch(ctx, w, total, func(recs []connectors.Record, _ []pending, errs []error, werr error) (bool, error) {
		if werr != nil {
			c.Err = werr
			return false, nil
		}
		for i, rerr := range errs {
			switch {
			case rerr == nil:
			case !connectors.IsRecordError(rerr):
				// Not an answer about the record: the check stops.
				c.Checked += int64(i)
				c.Err = rerr
				return false, nil
			default:
				c.Rejected++
				if len(c.Rejections) < samples {
					c.Rejections = append(c.Rejections, Rejection{Op: recs[i].Op, Key: recs[i].Key, Reason: rerr.Error()})
				}
			}
		}
		c.Checked += int64(len(recs))
		return true, nil
	})
}
