-- Records $4 to $5 of the pending ones were acknowledged by output $1 in
-- sync $2 of run $3, but for those numbered in $6 (the failed): append
-- them to the sync's acknowledgements (folded into output_state by
-- fold.sql).
INSERT INTO _mosaic.output_acks (output, sync_id, n, key, hash, payload, removed, delivered_at, run_id)
SELECT $1, $2, n, key, hash, payload, change IN ('removed', 'replaced', 'forgotten'), now(), $3
FROM _out_pending
WHERE n BETWEEN $4 AND $5 AND NOT list_contains($6::BIGINT[], n);
