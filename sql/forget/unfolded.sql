-- The outputs with acknowledgements not yet folded (a sync that died), one
-- name a line ('' when none).
SELECT coalesce(string_agg(DISTINCT output, chr(10) ORDER BY output), '') FROM _mosaic.output_acks;
