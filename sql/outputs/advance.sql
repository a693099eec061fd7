-- Events output $1 forwarded every batch up to run $2.
INSERT INTO _mosaic.output_positions (output, run_id) VALUES ($1, $2)
ON CONFLICT (output) DO UPDATE SET run_id = excluded.run_id;
