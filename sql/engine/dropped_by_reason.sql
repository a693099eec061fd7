-- What run $1 recorded in dropped_rows, by feed and reason.
SELECT feed, reason, count(*) FROM _mosaic.dropped_rows WHERE run_id = $1 GROUP BY ALL ORDER BY ALL;
