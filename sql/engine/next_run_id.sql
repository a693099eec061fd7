SELECT coalesce(max(run_id), 0) + 1 FROM _mosaic.runs;
