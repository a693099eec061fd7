SELECT reason, count(*) FROM _mosaic.dropped_rows WHERE run_id = $1 GROUP BY reason ORDER BY reason;
