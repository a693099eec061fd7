SELECT CAST(state AS VARCHAR), coalesce(watermark, '') FROM _mosaic.source_state WHERE feed = $1;
