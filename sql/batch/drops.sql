-- Dropped batches, and blocklisted or over-long identities of kept ones. $1 run, $2 feed.
INSERT INTO _mosaic.dropped_rows (run_id, feed, reason, "row")
SELECT $1, $2, r.reason, json_object('origin', m.origin, 'source_request_id', m.request_id, 'batch', CAST(m.batch AS JSON))
FROM _bmapped m JOIN _brows r USING (row_pos) WHERE r.reason IS NOT NULL
UNION ALL
SELECT $1, $2, 'blocklisted', json_object('identity_type', b.t, 'identity_value', b.v, 'origin', m.origin)
FROM _bids b JOIN _brows r USING (row_pos) JOIN _bmapped m USING (row_pos) WHERE r.reason IS NULL AND b.blocked
UNION ALL
SELECT $1, $2, 'identity_too_long', json_object('identity_type', b.t, 'identity_prefix', left(b.v, 64), 'bytes', strlen(b.v), 'origin', m.origin)
FROM _bids b JOIN _brows r USING (row_pos) JOIN _bmapped m USING (row_pos) WHERE r.reason IS NULL AND b.long AND NOT b.blocked;
