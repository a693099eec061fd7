-- Forget request $1 owes a removal to every output holding a record of the
-- profiles scope.sql gathered: keyed by one of their MPIDs, by one of their
-- identity values, or by audience:MPID for one of the store's audiences.
-- The next sync of each output sends it (outputs/pending.sql) and, once
-- acknowledged, confirms it (fold.sql). Failures recorded for any record
-- of theirs go, delivered or not: they hold the record's values.
-- An events output keys its records feed:row_id, each the row's batch
-- enriched with its profile: of the rows rows.sql found, it loses the
-- failures and the batches it holds as delivered (held until its position
-- passes their run). No removal is owed: a forwarded batch is not
-- recalled, and the erased rows are not forwarded again.
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
-- name: row_keys
CREATE OR REPLACE TEMP TABLE _forget_row_keys AS
SELECT feed || ':' || row_id AS key FROM _mosaic.feed_rows WHERE row_id IN (SELECT row_id FROM _forget_rows);
-- name: failures
DELETE FROM _mosaic.output_failures
WHERE key IN (SELECT key FROM _forget_candidates) OR key IN (SELECT key FROM _forget_row_keys);
-- name: forwarded
DELETE FROM _mosaic.output_state WHERE key IN (SELECT key FROM _forget_row_keys);
-- name: pending
-- What syncs set out to send for them goes too (it names their keys): the
-- removals owed are new deliveries.
DELETE FROM _mosaic.output_pending
WHERE key IN (SELECT key FROM _forget_candidates) OR key IN (SELECT key FROM _forget_row_keys);
-- name: owed
-- The rows events outputs owe (outputs/owed.sql) go too.
DELETE FROM _mosaic.output_owed WHERE row_id IN (SELECT row_id FROM _forget_rows);
