-- name: gone
-- The documents of profiles that are gone (merged away, deleted by
-- retention); they go, and a server forgets its copies of them.
CREATE OR REPLACE TEMP TABLE _docs_gone AS
SELECT mpid FROM _mosaic.profile_docs WHERE mpid NOT IN (SELECT mpid FROM _mosaic.profiles);

-- name: prune
DELETE FROM _mosaic.profile_docs WHERE mpid IN (SELECT mpid FROM _docs_gone);

-- name: write
-- The documents of _docs_dirty, in the Profile API's shape: $1 lists the
-- identity types of devices. Times are epoch milliseconds; customerid is
-- spelled customer_id as the API spells it. Attribute values keep their
-- JSON types; calculated attributes are among them.
INSERT OR REPLACE INTO _mosaic.profile_docs (mpid, doc)
WITH ids AS (
    SELECT i.mpid,
        list(json_object('type', CASE d.identity_type WHEN 'customerid' THEN 'customer_id' ELSE d.identity_type END,
                         'encoding', 'none', 'value', d.identity_value)
             ORDER BY d.identity_type, d.identity_value) FILTER (WHERE NOT list_contains($1, d.identity_type)) AS users,
        list(json_object('type', d.identity_type, 'encoding', 'none', 'value', d.identity_value)
             ORDER BY d.identity_type, d.identity_value) FILTER (WHERE list_contains($1, d.identity_type)) AS devices
    FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id
    WHERE i.mpid IN (SELECT mpid FROM _docs_dirty)
    GROUP BY i.mpid
),
attrs AS (
    -- keys in order (json_group_object keeps no order)
    SELECT mpid, CAST('{' || string_agg(CAST(to_json(key) AS VARCHAR) || ':' || coalesce(CAST(value AS VARCHAR), 'null'), ',' ORDER BY key) || '}' AS JSON) AS attrs
    FROM profile_attributes WHERE mpid IN (SELECT mpid FROM _docs_dirty)
    GROUP BY mpid
),
auds AS (
    SELECT h.mpid, list(json_object('audience_id', a.id, 'audience_name', a.name,
        'entered_timestamp_ms', epoch_ms(h.entered_at), 'expiration_timestamp_ms', NULL) ORDER BY a.name) AS auds
    FROM _mosaic.audience_history h JOIN _mosaic.audiences a ON a.id = h.audience_id
    WHERE h.exited_at IS NULL AND h.mpid IN (SELECT mpid FROM _docs_dirty)
    GROUP BY h.mpid
)
SELECT p.mpid, CAST(json_object(
    'mpid', p.mpid,
    'created_timestamp_ms', epoch_ms(p.created_at),
    'last_stored_timestamp_ms', epoch_ms(p.updated_at),
    'is_opted_out', false,
    'device_identities', coalesce(to_json(ids.devices), '[]'),
    'user_identities', coalesce(to_json(ids.users), '[]'),
    'user_attributes', coalesce(attrs.attrs, '{}'),
    'audience_memberships', coalesce(to_json(auds.auds), '[]')) AS VARCHAR)
FROM _mosaic.profiles p
LEFT JOIN ids USING (mpid) LEFT JOIN attrs USING (mpid) LEFT JOIN auds USING (mpid)
WHERE p.mpid IN (SELECT mpid FROM _docs_dirty);

-- name: key_ids
-- The resolve keys ($1: the identity types a profile may be resolved by,
-- written TYPE:VALUE) to write again: those the changed profiles hold,
-- and those whose profile is gone (another holder may take them).
CREATE OR REPLACE TEMP TABLE _docs_keys AS
SELECT d.id, d.identity_type || ':' || d.identity_value AS key
FROM _mosaic.identity_dict d
WHERE list_contains($1, d.identity_type)
  AND (d.id IN (SELECT identity_id FROM _mosaic.identities WHERE mpid IN (SELECT mpid FROM _docs_dirty))
       OR d.identity_type || ':' || d.identity_value IN
          (SELECT key FROM _mosaic.profile_keys WHERE mpid NOT IN (SELECT mpid FROM _mosaic.profiles)));

-- name: drop_keys
DELETE FROM _mosaic.profile_keys
WHERE key IN (SELECT key FROM _docs_keys) OR mpid NOT IN (SELECT mpid FROM _mosaic.profiles);

-- name: write_keys
-- A value held by several profiles resolves as matching does: to the
-- holder that saw it most recently, ties to the smaller MPID.
INSERT INTO _mosaic.profile_keys (key, mpid)
SELECT k.key, first(i.mpid ORDER BY i.last_seen_at DESC, i.mpid)
FROM _docs_keys k JOIN _mosaic.identities i ON i.identity_id = k.id
GROUP BY k.key;
