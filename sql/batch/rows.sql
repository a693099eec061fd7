-- Each batch with the reason it is not kept, if any: already_ingested (a
-- past run of feed $1 kept its source_request_id: a file read again, not a
-- reject; counted, never stored in dropped_rows; past runs' rows are those
-- below row id $2, none under a full refresh), duplicate_batch
-- (repeated earlier in this read), or no_identity (no usable identity and
-- no mpid). Narrow on purpose: the wide columns stay in the stage, read
-- through _bmapped.
CREATE OR REPLACE TEMP TABLE _brows AS
-- The source marked each batch whose request id it saw before in the read
-- (repeat), and a few others: only their ids are grouped, not every batch's
-- (1.2 + 0.8 s of a 1M-user first run's web feed).
WITH firsts AS (SELECT request_id, min(row_pos) AS first FROM _bmapped
                WHERE request_id IN (SELECT request_id FROM _bmapped WHERE repeat) GROUP BY request_id),
-- Only the run's own request ids are looked up: a DISTINCT over every past
-- batch of the feed cost 1.0 s of a 1M-user store's incremental run.
seen AS (SELECT DISTINCT request_id FROM _mosaic.feed_rows
         WHERE feed = $1 AND row_id < $2 AND request_id IN (SELECT request_id FROM _bmapped WHERE request_id IS NOT NULL)),
-- Only the batches the source could not vouch for (no identity surely
-- usable, few) have their identities counted: a batch with no usable one
-- and no mpid is not kept.
ids AS (SELECT row_pos, count(*) AS usable FROM _bids
        WHERE NOT blocked AND NOT long AND row_pos IN (SELECT row_pos FROM _bmapped WHERE NOT usable)
        GROUP BY row_pos)
SELECT m.row_pos,
    CASE WHEN s.request_id IS NOT NULL THEN 'already_ingested'
         WHEN m.request_id IS NOT NULL AND f.first <> m.row_pos THEN 'duplicate_batch'
         WHEN NOT m.usable AND coalesce(u.usable, 0) = 0 AND m.mpid IS NULL THEN 'no_identity' END AS reason
FROM (SELECT row_pos, request_id, mpid, usable FROM _bmapped) m
LEFT JOIN firsts f ON f.request_id = m.request_id
LEFT JOIN seen s ON s.request_id = m.request_id
LEFT JOIN ids u ON u.row_pos = m.row_pos;
