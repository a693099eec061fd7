-- Output $1's sync $2 is about to send its pending records: they replace
-- (after pending_done.sql, in one transaction) what its last sync set out
-- to send, each with the sync at which it was first pending (pending.sql
-- found it there; $2 for a record new to it). Committed before the first
-- request goes, so that a sync that dies leaves the next one the keys of
-- what may have arrived.
INSERT INTO _mosaic.output_pending (output, key, hash, removed, since)
SELECT $1, key, hash, change IN ('removed', 'replaced', 'forgotten'), coalesce(since, $2)
FROM _out_pending;
