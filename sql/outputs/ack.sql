-- Records $4 to $5 of the pending ones were acknowledged by output $1 in
-- sync $2 of run $3 at $7 (the sync's clock), but for those numbered in $6
-- (the failed): append them to the sync's acknowledgements (folded into
-- output_state by fold.sql). A changed record whose removal of what it
-- replaces failed in this sync is not acknowledged either: the next sync
-- sends both again, so that the identities it replaces leave the
-- destination.
INSERT INTO _mosaic.output_acks (output, sync_id, n, key, hash, payload, removed, delivered_at, run_id)
SELECT $1, $2, n, key, hash, payload, change IN ('removed', 'replaced', 'forgotten'), $7, $3
FROM _out_pending
WHERE n BETWEEN $4 AND $5 AND NOT list_contains($6::BIGINT[], n)
  AND NOT (change = 'changed' AND key IN (
      SELECT key FROM _mosaic.output_failures WHERE sync_id = $2 AND output = $1 AND operation = 'remove'));
