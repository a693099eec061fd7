-- A record sync $1 of output $2 (from run $3) could not deliver: key $4,
-- operation $5, error $6, payload $7. Its attempts count the syncs that
-- failed it since the output last delivered it (all of them if never).
INSERT INTO _mosaic.output_failures (sync_id, output, run_id, key, operation, attempts, error, payload)
SELECT $1, $2, $3, $4, $5, CAST(1 + count(*) AS INTEGER), $6, $7
FROM _mosaic.output_failures f
JOIN _mosaic.output_syncs s USING (sync_id)
WHERE f.output = $2 AND f.key = $4
  AND s.started_at > coalesce((SELECT delivered_at FROM _mosaic.output_state WHERE output = $2 AND key = $4), '-infinity'::TIMESTAMPTZ);
