-- Record the mapped rows of one feed that are dropped, and each blocklisted
-- identity of the rows that are kept. $1 run, $2 feed.
INSERT INTO _mosaic.dropped_rows (run_id, feed, reason, "row")
SELECT $1, $2, reason, raw FROM _mapped WHERE reason IS NOT NULL
UNION ALL
SELECT $1, $2, 'blocklisted', json_object('identity_type', x.t, 'identity_value', x.v, 'row', raw)
FROM (SELECT raw, unnest(blocked) AS x FROM _mapped WHERE reason IS NULL AND NOT seen);
