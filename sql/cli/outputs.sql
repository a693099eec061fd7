-- Each output in the store, and each one the pipeline file defines ($1,
-- empty with --state): its last sync (when, from which run, how it ended,
-- its counts), the records it holds, and the failures of that sync.
WITH names AS (
    SELECT DISTINCT output FROM main.output_runs
    UNION
    SELECT unnest($1::VARCHAR[])
), last AS (
    SELECT * FROM main.output_runs QUALIFY row_number() OVER (PARTITION BY output ORDER BY sync_id DESC) = 1
), held AS (
    SELECT output, count(*) AS records FROM main.output_records GROUP BY output
)
SELECT n.output,
       coalesce(l.status, 'never synced') AS last_sync,
       l.finished_at,
       l.run_id,
       l.added, l.changed, l.removed, l.refreshed, l.invalid, l.failed,
       coalesce(h.records, 0) AS records,
       l.error
FROM names n
LEFT JOIN last l USING (output)
LEFT JOIN held h USING (output)
ORDER BY n.output;
