-- The stats of the store's last run.
SELECT CAST(stats AS VARCHAR) FROM runs ORDER BY run_id DESC LIMIT 1;
