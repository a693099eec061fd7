-- The last run events output $1 forwarded whole (NULL before its first sync
-- begins to send: it then records the run before the one it syncs after).
SELECT run_id FROM _mosaic.output_positions WHERE output = $1;
