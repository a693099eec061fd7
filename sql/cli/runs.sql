-- `mosaic runs`: the newest runs first, with their main counts and their
-- warnings: their feeds' ("feed: warning; …"), then the names of
-- definitions that match no stored data.
SELECT run_id, status, started_at,
    round(epoch(finished_at - started_at), 3) AS seconds,
    (SELECT sum(CAST(f.value->>'rows_read' AS BIGINT)) FROM json_each(stats->'feeds') f) AS rows_read,
    CAST(stats->>'rows_dropped' AS BIGINT) AS rows_dropped,
    error,
    (SELECT string_agg(msg, '; ' ORDER BY k0, k1, k2) FROM (
        SELECT 0 AS k0, f.key AS k1, w.key AS k2, f.key || ': ' || (w.value->>'$') AS msg
        FROM json_each(stats->'feeds') f, json_each(f.value->'warnings') w
        UNION ALL
        SELECT 1, '', u.key, u.value->>'$' FROM json_each(stats->'unseen_names') u)) AS warnings
FROM runs
ORDER BY run_id DESC
LIMIT $1;
