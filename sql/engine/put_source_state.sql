INSERT OR REPLACE INTO _mosaic.source_state (feed, state, watermark, run_id) VALUES ($1, $2, NULLIF($3, ''), $4);
