-- The (profile, key) pairs run $1 touches: keys its rows set or delete, and
-- every key of a profile that absorbed another in the run.
CREATE OR REPLACE TEMP TABLE _attr_touched AS
SELECT DISTINCT coalesce(al.mpid, rp.mpid) AS mpid, w.key
FROM (SELECT row_id, key FROM _mosaic.feed_attributes UNION ALL SELECT row_id, key FROM _mosaic.feed_deletions) w
JOIN _mosaic.feed_rows r USING (row_id)
JOIN _mosaic.row_profiles rp USING (row_id)
LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid
WHERE r.run_id = $1
UNION
SELECT a.mpid, a.key FROM _mosaic.attributes a
WHERE NOT a.calculated AND (a.mpid IN (SELECT alias_mpid FROM _mosaic.aliases WHERE run_id = $1)
    OR a.mpid IN (SELECT mpid FROM _mosaic.aliases WHERE run_id = $1));
