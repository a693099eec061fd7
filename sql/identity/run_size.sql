-- How many rows run $1 has, how many identities, and how many (row,
-- identity) pairs: readRun sizes its arrays from them.
SELECT (SELECT count(*) FROM _mosaic.feed_rows WHERE run_id = $1),
    count(*), CAST(coalesce(sum(len(rows)), 0) AS BIGINT)
FROM _id_groups;
