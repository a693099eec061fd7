-- `mosaic runs`: the newest runs first, with their main counts and the
-- warnings of their feeds ("feed: warning; …").
SELECT run_id, status, started_at,
    round(epoch(finished_at - started_at), 3) AS seconds,
    (SELECT sum(CAST(f.value->>'rows_read' AS BIGINT)) FROM json_each(stats->'feeds') f) AS rows_read,
    CAST(stats->>'rows_dropped' AS BIGINT) AS rows_dropped,
    error,
    (SELECT string_agg(f.key || ': ' || (w.value->>'$'), '; ' ORDER BY f.key, w.key)
     FROM json_each(stats->'feeds') f, json_each(f.value->'warnings') w) AS warnings
FROM runs
ORDER BY run_id DESC
LIMIT $1;
