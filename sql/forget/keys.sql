-- Forget request $1 owes a removal to every output holding a record of the
-- profiles scope.sql gathered: keyed by one of their MPIDs, by one of their
-- identity values, or audience:MPID. The next sync of each output sends it
-- (outputs/pending.sql) and, once acknowledged, confirms it (fold.sql).
-- Failures recorded for those records go: they hold the record's values.
-- name: keys
INSERT INTO _mosaic.forget_keys (forget_id, output, key)
SELECT $1, s.output, s.key FROM _mosaic.output_state s
WHERE s.key IN (SELECT CAST(mpid AS VARCHAR) FROM _forget_mpids)
   OR s.key IN (SELECT d.identity_value FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id
                WHERE i.mpid IN (SELECT mpid FROM _forget_mpids))
   OR EXISTS (SELECT 1 FROM _forget_mpids m WHERE suffix(s.key, ':' || m.mpid));
-- name: outputs
INSERT INTO _mosaic.forget_outputs (forget_id, output, confirmed_at)
SELECT DISTINCT $1, output, CAST(NULL AS TIMESTAMPTZ) FROM _mosaic.forget_keys WHERE forget_id = $1;
-- name: failures
DELETE FROM _mosaic.output_failures
WHERE (output, key) IN (SELECT output, key FROM _mosaic.forget_keys WHERE forget_id = $1);
