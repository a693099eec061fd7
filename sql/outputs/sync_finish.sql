-- Sync $1 ends at $9 (the sync's clock) with status $2, its counts ($10
-- the refreshed) and its error (NULL when none).
UPDATE _mosaic.output_syncs
SET finished_at = $9, status = $2, added = $3, changed = $4, removed = $5, invalid = $6, failed = $7, error = $8, refreshed = $10
WHERE sync_id = $1;
