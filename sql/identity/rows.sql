-- The run's rows in application order (time, feed, row), each row's
-- identities in priority order then (type, value) order (vord). A row
-- listing one identity twice gives adjacent lines; scanRows skips the repeat.
SELECT row_id, ts, CAST(feed_pos AS BIGINT) AS feed_pos, mpid, coalesce(ident, 0) AS ident,
    coalesce(rank, -1) AS rank, coalesce(seed, 0) AS seed
FROM _id_run
ORDER BY ts, feed_pos, row_pos, rank, vord;
