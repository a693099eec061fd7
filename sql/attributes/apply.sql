-- Replace the touched attributes with the winners; count what was ignored.
DELETE FROM _mosaic.attributes
WHERE NOT calculated AND (mpid IN (SELECT alias_mpid FROM _mosaic.aliases)
    OR (mpid, key) IN (SELECT mpid, key FROM _attr_result));
INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at, calculated, feed_pos, run_id, row_pos)
SELECT mpid, key, value, source_type, feed, updated_at, false, feed_pos, run_id, row_pos
FROM _attr_result WHERE place = 1;
