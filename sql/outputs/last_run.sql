-- The store's last committed run (0 when none): outputs sync from it.
SELECT coalesce(max(run_id), 0) FROM _mosaic.runs WHERE status = 'succeeded';
