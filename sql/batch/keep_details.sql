-- The kept batches' identities, attributes, deletions, events and raw text.
-- $1 first row_id - 1.
INSERT INTO _mosaic.feed_identities (row_id, identity_type, identity_value)
SELECT $1 + b.row_pos, b.t, b.v FROM _bids b JOIN _brows r USING (row_pos) WHERE r.reason IS NULL AND NOT b.blocked AND NOT b.long;
INSERT INTO _mosaic.feed_attributes (row_id, key, value)
SELECT $1 + row_pos, a.k, CAST(a.v AS JSON)
FROM (SELECT m.row_pos, unnest(m.attrs) AS a FROM _bmapped m JOIN _brows r USING (row_pos) WHERE r.reason IS NULL);
INSERT INTO _mosaic.feed_deletions (row_id, key)
SELECT $1 + m.row_pos, unnest(m.del) FROM _bmapped m JOIN _brows r USING (row_pos) WHERE r.reason IS NULL;
INSERT INTO _mosaic.feed_events (row_id, event_id, event_type, event_name, occurred_at, attributes)
SELECT $1 + row_pos, e.id, e.type, e.name, coalesce(e.ts, ts), CAST(e.attributes AS JSON)
FROM (SELECT m.row_pos, m.ts, unnest(m.ev) AS e FROM _bmapped m JOIN _brows r USING (row_pos) WHERE r.reason IS NULL);
INSERT INTO _mosaic.feed_batches (row_id, batch)
SELECT $1 + m.row_pos, m.batch FROM _bmapped m JOIN _brows r USING (row_pos) WHERE r.reason IS NULL;
