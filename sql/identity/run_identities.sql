-- Run $1's rows with their interned identities, one line per (row,
-- identity), or one line with NULL identity for a row without any. The
-- run's rows are the newest (see intern.sql).
CREATE OR REPLACE TEMP TABLE _id_run AS
SELECT r.row_id, epoch_us(r.ts) AS ts, r.feed_pos, r.row_pos, coalesce(r.mpid, 0) AS mpid,
    d.id AS ident, d.identity_type, d.identity_value, d.seed
FROM _mosaic.feed_rows r
LEFT JOIN (
    SELECT * FROM _mosaic.feed_identities
    WHERE row_id >= (SELECT min(row_id) FROM _mosaic.feed_rows WHERE run_id = $1)
) i USING (row_id)
LEFT JOIN _mosaic.identity_dict d ON d.identity_type = i.identity_type AND d.identity_value = i.identity_value
WHERE r.run_id = $1;
