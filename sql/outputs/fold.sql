-- Fold output $1's acknowledgements into what it holds: the last
-- acknowledgement of each key wins; a removed key is no longer held.
-- name: hold
INSERT INTO _mosaic.output_state (output, key, hash, payload, delivered_at, run_id)
SELECT output, key, hash, payload, delivered_at, run_id
FROM _mosaic.output_acks WHERE output = $1
QUALIFY row_number() OVER (PARTITION BY key ORDER BY sync_id DESC, n DESC) = 1 AND NOT removed
ON CONFLICT (output, key) DO UPDATE SET
    hash = excluded.hash, payload = excluded.payload, delivered_at = excluded.delivered_at, run_id = excluded.run_id;
-- name: release
DELETE FROM _mosaic.output_state
WHERE output = $1 AND key IN (
    SELECT key FROM _mosaic.output_acks WHERE output = $1
    QUALIFY row_number() OVER (PARTITION BY key ORDER BY sync_id DESC, n DESC) = 1 AND removed);
-- name: forget
DELETE FROM _mosaic.output_acks WHERE output = $1;
