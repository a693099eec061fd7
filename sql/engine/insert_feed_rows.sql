-- Keep the mapped rows of one feed that are neither dropped nor at or below
-- the cursor's watermark. $1 first row_id - 1, $2 run, $3 feed, $4 feed position.
INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts, mpid, origin)
SELECT $1 + row_pos, $2, $3, $4, row_pos, ts, mpid, origin
FROM _mapped WHERE reason IS NULL AND NOT seen;

INSERT INTO _mosaic.feed_identities (row_id, identity_type, identity_value)
SELECT $1 + row_pos, x.t, x.v
FROM (SELECT row_pos, unnest(ids) AS x FROM _mapped WHERE reason IS NULL AND NOT seen);

INSERT INTO _mosaic.feed_attributes (row_id, key, value)
SELECT $1 + row_pos, x.k, x.v
FROM (SELECT row_pos, unnest(attrs) AS x FROM _mapped WHERE reason IS NULL AND NOT seen);
