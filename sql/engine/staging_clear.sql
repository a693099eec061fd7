-- In the run's transaction, before it commits: what the run staged stays
-- (the marker goes), and the largest row id it used is kept
-- (max_row_id.sql).
-- name: last_row_id
INSERT OR REPLACE INTO _mosaic.meta (key, value)
SELECT 'last_row_id', CAST(max(row_id) AS VARCHAR) FROM _mosaic.feed_rows HAVING max(row_id) IS NOT NULL;
-- name: marker
DELETE FROM _mosaic.meta WHERE key = 'staging';
