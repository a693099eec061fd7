-- Run $1 of the outputs benchmarks succeeded.
INSERT INTO _mosaic.runs (run_id, pipeline, started_at, finished_at, status) VALUES ($1, 'bench', now(), now(), 'succeeded');
