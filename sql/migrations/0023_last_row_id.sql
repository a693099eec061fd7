-- Schema version 23: the largest row id used (engine/max_row_id.sql) is
-- kept in meta as last_row_id, so that no row id is used twice. A store
-- made before it may already have lost its newest rows (retention,
-- forget): its tables that name rows by id say how far ids went.
INSERT OR REPLACE INTO _mosaic.meta (key, value)
SELECT 'last_row_id', CAST(greatest(
    (SELECT coalesce(max(row_id), 0) FROM _mosaic.feed_rows),
    (SELECT coalesce(max(row_id), 0) FROM _mosaic.aliases),
    (SELECT coalesce(max(row_id), 0) FROM _mosaic.merge_refusals),
    (SELECT coalesce(max(row_id), 0) FROM _mosaic.output_forwarded),
    (SELECT coalesce(max(row_id), 0) FROM _mosaic.output_owed)) AS VARCHAR);
