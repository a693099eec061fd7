-- The outputs benchmarks' outputs forget what they delivered, so that the
-- next sync sends every record again.
DELETE FROM _mosaic.output_state;
