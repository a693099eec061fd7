-- The pipeline the store belongs to: the one whose run last succeeded
-- (a failed or cancelled run, or a dry run, changes nothing it owns).
SELECT pipeline, run_id, finished_at FROM _mosaic.runs
WHERE status = 'succeeded'
ORDER BY run_id DESC
LIMIT 1;
