-- Forget request $1 owes a removal to every output holding a record of the
-- profiles scope.sql gathered: keyed by one of their MPIDs, by one of their
-- identity values, or by audience:MPID for one of the store's audiences.
-- The next sync of each output sends it (outputs/pending.sql) and, once
-- acknowledged, confirms it (fold.sql). Failures recorded for any record
-- of theirs go, delivered or not: they hold the record's values.
-- name: candidates
CREATE OR REPLACE TEMP TABLE _forget_candidates AS
SELECT CAST(mpid AS VARCHAR) AS key FROM _forget_mpids
UNION
SELECT d.identity_value FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id
WHERE i.mpid IN (SELECT mpid FROM _forget_mpids)
UNION
SELECT a.name || ':' || m.mpid FROM _mosaic.audiences a, _forget_mpids m;
-- name: keys
INSERT INTO _mosaic.forget_keys (forget_id, output, key)
SELECT $1, s.output, s.key FROM _mosaic.output_state s WHERE s.key IN (SELECT key FROM _forget_candidates);
-- name: outputs
INSERT INTO _mosaic.forget_outputs (forget_id, output, confirmed_at)
SELECT DISTINCT $1, output, CAST(NULL AS TIMESTAMPTZ) FROM _mosaic.forget_keys WHERE forget_id = $1;
-- name: failures
DELETE FROM _mosaic.output_failures WHERE key IN (SELECT key FROM _forget_candidates);
