-- Records $3 to $4 of the pending ones were acknowledged by output $1 in
-- run $2, but for those numbered in $5 (the failed): the output now holds
-- the added and changed ones.
INSERT INTO _mosaic.output_state (output, key, hash, payload, delivered_at, run_id)
SELECT $1, key, hash, payload, now(), $2
FROM _out_pending
WHERE n BETWEEN $3 AND $4 AND change <> 'removed' AND NOT list_contains($5::BIGINT[], n)
ON CONFLICT (output, key) DO UPDATE SET
    hash = excluded.hash, payload = excluded.payload, delivered_at = excluded.delivered_at, run_id = excluded.run_id;
