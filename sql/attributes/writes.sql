-- The attribute writes of run $1's rows that resolved to a profile (rows of
-- only_update feeds that matched nothing, and of only_read feeds, have none),
-- on the profile as it is after the run's merges. $2: each feed's source
-- type, by feed position.
CREATE OR REPLACE TEMP TABLE _attr_writes AS
SELECT coalesce(al.mpid, rp.mpid) AS mpid, fa.key, fa.value, ($2::VARCHAR[])[r.feed_pos + 1] AS source_type,
    r.feed, r.ts AS updated_at, r.feed_pos, r.run_id, r.row_pos
FROM _mosaic.feed_attributes fa
JOIN _mosaic.feed_rows r USING (row_id)
JOIN _mosaic.row_profiles rp USING (row_id)
LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid
WHERE r.run_id = $1;
