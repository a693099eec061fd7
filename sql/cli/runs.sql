-- `mosaic runs`: the newest runs first, with their main counts.
SELECT run_id, status, started_at,
    round(epoch(finished_at - started_at), 3) AS seconds,
    (SELECT sum(CAST(f.value->>'rows_read' AS BIGINT)) FROM json_each(stats->'feeds') f) AS rows_read,
    CAST(stats->>'rows_dropped' AS BIGINT) AS rows_dropped,
    error
FROM runs
ORDER BY run_id DESC
LIMIT $1;
