-- The largest interned identity id (the kernel sizes its arrays by it),
-- how many rows run $1 staged (none: the stage has nothing to do), how
-- many identity values they carry and DuckDB's memory limit ("6.5 GiB"):
-- the grouping pass count (passes.go) comes from the last two.
SELECT (SELECT coalesce(max(id), 0) FROM _mosaic.identity_dict),
    (SELECT count(*) FROM _mosaic.feed_rows WHERE run_id = $1),
    (SELECT count(*) FROM _mosaic.feed_identities
     WHERE row_id >= (SELECT coalesce(min(row_id), 9223372036854775807) FROM _mosaic.feed_rows WHERE run_id = $1)),
    current_setting('memory_limit');
