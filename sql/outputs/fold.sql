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
-- name: forgotten
-- A removal owed to `mosaic forget` is done once the output no longer
-- holds the key, or holds it again from a later delivery (another
-- profile's record under the same key).
DELETE FROM _mosaic.forget_keys k
WHERE k.output = $1 AND coalesce(
    (SELECT s.delivered_at > r.requested_at
     FROM _mosaic.output_state s, _mosaic.forget_requests r
     WHERE s.output = $1 AND s.key = k.key AND r.forget_id = k.forget_id), true);
-- name: confirmed
UPDATE _mosaic.forget_outputs SET confirmed_at = now()
WHERE output = $1 AND confirmed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM _mosaic.forget_keys k WHERE k.forget_id = forget_outputs.forget_id AND k.output = $1);
