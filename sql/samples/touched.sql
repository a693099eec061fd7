-- Up to $2 profiles run $1 touched, as they are after it (the survivor of
-- any merge), in an order unrelated to their size or age, each with the
-- profiles it absorbed in the run (as MPIDs, comma-separated; empty when
-- none). Read inside the run's transaction.
SELECT t.mpid, coalesce((SELECT string_agg(CAST(a.alias_mpid AS VARCHAR), ',' ORDER BY a.alias_mpid)
                         FROM _mosaic.aliases a WHERE a.run_id = $1 AND a.mpid = t.mpid), '') AS absorbed
FROM (
    SELECT DISTINCT coalesce(al.mpid, rp.mpid) AS mpid
    FROM _mosaic.row_profiles rp JOIN _mosaic.feed_rows r USING (row_id)
    LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid
    WHERE r.run_id = $1
) t
ORDER BY hash(t.mpid)
LIMIT $2;
