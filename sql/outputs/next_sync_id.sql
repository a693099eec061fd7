SELECT coalesce(max(sync_id), 0) + 1 FROM _mosaic.output_syncs;
