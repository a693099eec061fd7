-- The kept batches' raw text, for an events output to forward as it came
-- (with every field). Only a pipeline with an events output keeps it: an
-- output forwards the batches of the runs after it first syncs, so no one
-- reads what a run without one would keep; the source hands over every
-- batch's text only then (connectors.RawBatches.All). $1 first row_id - 1.
INSERT INTO _mosaic.feed_batches (row_id, batch)
SELECT $1 + m.row_pos, m.batch FROM _bmapped m ANTI JOIN _bnotkept USING (row_pos);
