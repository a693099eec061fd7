-- Whether run $1's rows are the first the store holds (a first run, or a
-- full refresh): then touched.sql.tmpl takes the short way.
SELECT NOT EXISTS (SELECT 1 FROM _mosaic.feed_rows
                   WHERE row_id < (SELECT coalesce(min(row_id), 0) FROM _mosaic.feed_rows WHERE run_id = $1));
