-- A sync of output $1 still 'running' was interrupted (its process died:
-- one process at a time writes a store).
UPDATE _mosaic.output_syncs SET status = 'interrupted', finished_at = now() WHERE output = $1 AND status = 'running';
