-- The largest interned identity id (the kernel sizes its arrays by it),
-- and how many rows run $1 staged (none: the stage has nothing to do).
SELECT (SELECT coalesce(max(id), 0) FROM _mosaic.identity_dict),
    (SELECT count(*) FROM _mosaic.feed_rows WHERE run_id = $1);
