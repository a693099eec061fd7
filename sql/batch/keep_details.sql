-- The kept batches' identities, attributes, deletions, events and raw text.
-- $1 first row_id - 1.
INSERT INTO _mosaic.feed_identities (row_id, identity_type, identity_value)
SELECT $1 + b.row_pos, b.t, b.v FROM _bids b JOIN _brows r USING (row_pos) WHERE r.reason IS NULL AND NOT b.blocked AND NOT b.long;
INSERT INTO _mosaic.feed_attributes (row_id, key, value)
SELECT $1 + r.row_pos, e.key, e.value FROM _brows r, json_each(r.attrs) e WHERE r.reason IS NULL;
INSERT INTO _mosaic.feed_deletions (row_id, key)
SELECT $1 + row_pos, unnest(del) FROM _brows WHERE reason IS NULL;
INSERT INTO _mosaic.feed_events (row_id, event_id, event_type, event_name, occurred_at, attributes)
SELECT $1 + r.row_pos, e.value ->> 'id', e.value ->> 'type', e.value ->> 'name',
    coalesce(CAST(e.value ->> 'ts' AS TIMESTAMPTZ), r.ts), CASE WHEN json_type(e.value -> 'attributes') = 'OBJECT' THEN e.value -> 'attributes' END
FROM _brows r, json_each(r.ev) e WHERE r.reason IS NULL;
INSERT INTO _mosaic.feed_batches (row_id, batch)
SELECT $1 + row_pos, batch FROM _brows WHERE reason IS NULL;
