-- Run $1's rows with their interned identities, one line per (row,
-- identity), or one line with NULL identity for a row without any. Each
-- identity carries the rank of its type ($2: the types in priority order)
-- and vord, its place among the run's identities in (type, value) order, so
-- that ordering the rows needs no strings.
CREATE OR REPLACE TEMP TABLE _id_run AS
WITH idents AS (
    SELECT d.id AS ident, d.seed, CAST(coalesce(list_position($2::VARCHAR[], g.t), 0) - 1 AS BIGINT) AS rank,
        row_number() OVER (ORDER BY g.t, g.v) AS vord, g.rows
    FROM _id_groups g JOIN _mosaic.identity_dict d ON d.identity_type = g.t AND d.identity_value = g.v
)
SELECT r.row_id, epoch_us(r.ts) AS ts, r.feed_pos, r.row_pos, coalesce(r.mpid, 0) AS mpid, u.ident, u.rank, u.vord, u.seed
FROM _mosaic.feed_rows r
LEFT JOIN (SELECT unnest(rows) AS row_id, ident, rank, vord, seed FROM idents) u USING (row_id)
WHERE r.run_id = $1;
