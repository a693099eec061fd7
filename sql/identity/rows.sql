-- Run $1's rows in application order: time, feed, then row.
SELECT row_id, epoch_us(ts) AS ts, CAST(feed_pos AS BIGINT) AS feed_pos, coalesce(mpid, 0) AS mpid
FROM _mosaic.feed_rows
WHERE run_id = $1
ORDER BY ts, feed_pos, row_pos;
