-- Every write (set or delete) ever staged for the touched pairs, on the
-- profile its row belongs to now, in application order per pair.
-- $1: each feed's source type by feed position; $2: source types, highest
-- priority first.
WITH writes AS (
    SELECT row_id, key, value, false AS is_delete FROM _mosaic.feed_attributes
    UNION ALL
    SELECT row_id, key, NULL, true FROM _mosaic.feed_deletions
)
SELECT coalesce(al.mpid, rp.mpid) AS mpid, w.key, CAST(w.value AS VARCHAR) AS value, w.is_delete,
    CAST(list_position($2::VARCHAR[], ($1::VARCHAR[])[r.feed_pos + 1]) AS BIGINT) AS rank,
    epoch_us(r.ts) AS ts, CAST(r.feed_pos AS BIGINT) AS feed_pos, r.run_id, r.row_pos, r.feed
FROM writes w
JOIN _mosaic.feed_rows r USING (row_id)
JOIN _mosaic.row_profiles rp USING (row_id)
LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid
JOIN _attr_touched t ON t.mpid = coalesce(al.mpid, rp.mpid) AND t.key = w.key
ORDER BY mpid, w.key, r.ts, r.feed_pos, r.run_id, r.row_pos;
