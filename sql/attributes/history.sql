-- The writes of the touched pairs (touched.sql.tmpl), in application order per
-- pair. $1: each feed's source type by feed position; $2: source types,
-- highest priority first.
SELECT w.mpid, w.key, CAST(w.value AS VARCHAR) AS value, w.is_delete,
    CAST(list_position($2::VARCHAR[], ($1::VARCHAR[])[r.feed_pos + 1]) AS BIGINT) AS rank,
    epoch_us(r.ts) AS ts, CAST(r.feed_pos AS BIGINT) AS feed_pos, r.run_id, r.row_pos, r.feed
FROM _attr_writes w
JOIN _attr_touched t USING (mpid, key)
JOIN _mosaic.feed_rows r USING (row_id)
ORDER BY w.mpid, w.key, r.ts, r.feed_pos, r.run_id, r.row_pos;
