-- The (profile, key) pairs run $1 touches: the keys its rows set or delete,
-- and every key ever written on a profile that absorbed another in the run
-- (two profiles' histories can fold to a value neither had alone). Keys
-- under their profile as it is now. Two branches, each starting from the
-- few rows it needs, so that a small run stays cheap on a big store.
CREATE OR REPLACE TEMP TABLE _attr_touched AS
WITH writes AS (
    SELECT row_id, key FROM _mosaic.feed_attributes
    UNION ALL
    SELECT row_id, key FROM _mosaic.feed_deletions
),
-- the run's rows
run_rows AS (SELECT row_id FROM _mosaic.feed_rows WHERE run_id = $1),
-- every MPID a row of a profile that absorbed another in the run may carry
merged AS (
    SELECT DISTINCT mpid FROM _mosaic.aliases WHERE run_id = $1
    UNION
    SELECT alias_mpid FROM _mosaic.aliases WHERE mpid IN (SELECT mpid FROM _mosaic.aliases WHERE run_id = $1)
),
merged_rows AS (SELECT row_id FROM _mosaic.row_profiles WHERE mpid IN (SELECT mpid FROM merged))
SELECT DISTINCT coalesce(al.mpid, rp.mpid) AS mpid, w.key
FROM (SELECT row_id FROM run_rows UNION SELECT row_id FROM merged_rows) r
JOIN writes w USING (row_id)
JOIN _mosaic.row_profiles rp USING (row_id)
LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid;
