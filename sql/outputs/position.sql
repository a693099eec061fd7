-- The last run events output $1 forwarded whole (NULL before its first sync).
SELECT run_id FROM _mosaic.output_positions WHERE output = $1;
