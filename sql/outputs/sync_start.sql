-- Sync $1 of output $2 starts from run $3 at $4 (the sync's clock).
INSERT INTO _mosaic.output_syncs (sync_id, output, run_id, started_at, status) VALUES ($1, $2, $3, $4, 'running');
