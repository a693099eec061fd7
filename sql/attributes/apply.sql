-- Replace the touched pairs (and anything still stored under an alias) with
-- the fold's result (temp table _attr_result). $1: source types by rank.
-- name: delete
DELETE FROM _mosaic.attributes
WHERE NOT calculated AND (mpid IN (SELECT alias_mpid FROM _mosaic.aliases)
    OR (mpid, key) IN (SELECT mpid, key FROM _attr_touched));
-- name: insert
INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at, calculated, feed_pos, run_id, row_pos)
SELECT mpid, key, CAST(value AS JSON), ($1::VARCHAR[])[rank], feed, make_timestamptz(ts), false, feed_pos, run_id, row_pos
FROM _attr_result;
