-- The removed records among pending records $2 to $3 were acknowledged by
-- output $1, but for those numbered in $4: it no longer holds them.
DELETE FROM _mosaic.output_state
WHERE output = $1 AND key IN (
    SELECT key FROM _out_pending
    WHERE n BETWEEN $2 AND $3 AND change = 'removed' AND NOT list_contains($4::BIGINT[], n));
