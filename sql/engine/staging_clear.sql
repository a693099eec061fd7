-- In the run's transaction, before it commits: what the run staged stays
-- (the marker goes), and the largest row id used so far is kept
-- (max_row_id.sql, the same expression: it never goes down, though the
-- newest rows may be gone).
-- name: last_row_id
INSERT OR REPLACE INTO _mosaic.meta (key, value)
SELECT 'last_row_id', CAST(greatest(coalesce(max(row_id), 0),
    coalesce((SELECT CAST(value AS BIGINT) FROM _mosaic.meta WHERE key = 'last_row_id'), 0)) AS VARCHAR)
FROM _mosaic.feed_rows;
-- name: marker
DELETE FROM _mosaic.meta WHERE key = 'staging';
