-- The (profile, key) pairs run $1 touches: the keys its rows set or delete,
-- and every key ever written on a profile that absorbed another in the run
-- (two profiles' histories can fold to a value neither had alone). Keys
-- under their profile as it is now.
CREATE OR REPLACE TEMP TABLE _attr_touched AS
WITH merged AS (SELECT DISTINCT mpid FROM _mosaic.aliases WHERE run_id = $1),
writes AS (
    SELECT row_id, key FROM _mosaic.feed_attributes
    UNION ALL
    SELECT row_id, key FROM _mosaic.feed_deletions
)
SELECT DISTINCT coalesce(al.mpid, rp.mpid) AS mpid, w.key
FROM writes w
JOIN _mosaic.feed_rows r USING (row_id)
JOIN _mosaic.row_profiles rp USING (row_id)
LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid
WHERE r.run_id = $1 OR coalesce(al.mpid, rp.mpid) IN (SELECT mpid FROM merged);
