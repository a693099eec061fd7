-- The runs pages. $1 is a run ID, except in "list".

-- name: list
-- The latest 200 runs, newest first, with their row counts.
SELECT run_id, status, started_at, finished_at,
    coalesce((SELECT sum(CAST(f.value->>'rows_read' AS BIGINT)) FROM json_each(stats->'feeds') f), 0) AS rows_read,
    coalesce((SELECT sum(CAST(f.value->>'rows_kept' AS BIGINT)) FROM json_each(stats->'feeds') f), 0) AS rows_kept,
    coalesce(CAST(stats->>'rows_dropped' AS BIGINT), 0) AS rows_dropped,
    coalesce(error, '')
FROM main.runs
ORDER BY run_id DESC
LIMIT 200;

-- name: run
SELECT pipeline, status, started_at, finished_at, coalesce(error, ''), coalesce(CAST(stats AS VARCHAR), '{}')
FROM main.runs WHERE run_id = $1;

-- name: samples
-- Up to 5 dropped rows per reason.
SELECT reason, feed, CAST("row" AS VARCHAR)
FROM main.dropped_rows WHERE run_id = $1
QUALIFY row_number() OVER (PARTITION BY reason ORDER BY feed) <= 5
ORDER BY reason, feed;
