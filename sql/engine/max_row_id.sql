-- The largest row id a run has used: of the staged rows, or one a
-- committed run used whose row is gone since (retention, forget, a full
-- refresh; staging_clear.sql keeps it). A new row takes the next: a row id
-- is never used twice, as aliases, merge_refusals and the outputs' marks
-- (output_forwarded, output_owed) name rows by it after they are gone.
SELECT greatest(coalesce(max(row_id), 0),
                coalesce((SELECT CAST(value AS BIGINT) FROM _mosaic.meta WHERE key = 'last_row_id'), 0))
FROM _mosaic.feed_rows;
