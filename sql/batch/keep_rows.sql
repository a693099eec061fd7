-- $1 first row_id - 1, $2 run, $3 feed, $4 feed position. A request id
-- that is a UUID is kept as one (map.sql.tmpl).
INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts, mpid, origin, request_id, request_uuid)
SELECT $1 + m.row_pos, $2, $3, $4, m.row_pos, m.ts, m.mpid, m.origin,
    m.request_text, m.request_uuid
FROM _bmapped m ANTI JOIN _bnotkept USING (row_pos);
