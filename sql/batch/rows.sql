-- Each batch with the reason it is dropped, if any: a source_request_id
-- seen before (earlier in this read, or in a past run of feed $1), or no
-- usable identity and no mpid. Narrow on purpose: the wide columns stay in
-- the stage, read through _bmapped.
CREATE OR REPLACE TEMP TABLE _brows AS
WITH firsts AS (SELECT request_id, min(row_pos) AS first FROM _bmapped WHERE request_id IS NOT NULL GROUP BY request_id),
seen AS (SELECT DISTINCT request_id FROM _mosaic.feed_rows WHERE feed = $1 AND request_id IS NOT NULL),
ids AS (SELECT row_pos, count(*) FILTER (WHERE NOT blocked AND NOT long) AS usable, count(*) FILTER (WHERE blocked) AS blocked
        FROM _bids GROUP BY row_pos)
SELECT m.row_pos, coalesce(u.blocked, 0) AS n_blocked,
    CASE WHEN m.request_id IS NOT NULL AND (f.first <> m.row_pos OR s.request_id IS NOT NULL) THEN 'duplicate_batch'
         WHEN coalesce(u.usable, 0) = 0 AND m.mpid IS NULL THEN 'no_identity' END AS reason
FROM (SELECT row_pos, request_id, mpid FROM _bmapped) m
LEFT JOIN firsts f ON f.request_id = m.request_id
LEFT JOIN seen s ON s.request_id = m.request_id
LEFT JOIN ids u ON u.row_pos = m.row_pos;
