INSERT INTO _mosaic.runs (run_id, pipeline, started_at, finished_at, status, error, stats)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7);
