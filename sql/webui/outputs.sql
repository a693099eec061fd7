-- The outputs page.

-- name: any
-- Whether any output has synced.
SELECT EXISTS (SELECT 1 FROM main.output_runs);

-- name: list
-- Each output in the store or the pipeline file ($1, their names): its
-- last sync, that sync's counts, the records it holds and its failures.
WITH names AS (
    SELECT DISTINCT output FROM main.output_runs
    UNION
    SELECT unnest($1::VARCHAR[])
), last AS (
    SELECT * FROM main.output_runs QUALIFY row_number() OVER (PARTITION BY output ORDER BY sync_id DESC) = 1
), held AS (
    SELECT output, count(*) AS records FROM main.output_records GROUP BY output
)
SELECT n.output, coalesce(l.status, 'never synced'), l.finished_at, l.run_id,
       coalesce(l.added, 0), coalesce(l.changed, 0), coalesce(l.removed, 0), coalesce(l.refreshed, 0),
       coalesce(l.invalid, 0), coalesce(l.failed, 0),
       coalesce(h.records, 0), coalesce(l.error, '')
FROM names n
LEFT JOIN last l USING (output)
LEFT JOIN held h USING (output)
ORDER BY n.output;

-- name: failures
-- The latest 100 failed records.
SELECT output, sync_id, run_id, key, operation, attempts, error
FROM main.output_failures
ORDER BY sync_id DESC, output, key
LIMIT 100;
