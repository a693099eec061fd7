-- One profile in the Profile API's shape (mParticle's), as JSON text per
-- part: $1 is the profile's MPID (a survivor, not an alias), $2 the
-- identity types that identify devices. Times are epoch milliseconds;
-- customerid is spelled customer_id as the API spells it.
SELECT
    p.mpid,
    epoch_ms(p.created_at) AS created_ms,
    epoch_ms(p.updated_at) AS stored_ms,
    CAST(coalesce((
        SELECT to_json(list(json_object(
            'type', CASE i.identity_type WHEN 'customerid' THEN 'customer_id' ELSE i.identity_type END,
            'encoding', 'none', 'value', i.identity_value) ORDER BY i.identity_type, i.identity_value))
        FROM profile_identities i WHERE i.mpid = p.mpid AND NOT list_contains($2, i.identity_type)), '[]') AS VARCHAR) AS user_identities,
    CAST(coalesce((
        SELECT to_json(list(json_object('type', i.identity_type, 'encoding', 'none', 'value', i.identity_value)
            ORDER BY i.identity_type, i.identity_value))
        FROM profile_identities i WHERE i.mpid = p.mpid AND list_contains($2, i.identity_type)), '[]') AS VARCHAR) AS device_identities,
    CAST(coalesce((
        SELECT json_group_object(a.key, a.value) FROM profile_attributes a WHERE a.mpid = p.mpid), '{}') AS VARCHAR) AS user_attributes,
    CAST(coalesce((
        SELECT to_json(list(json_object('audience_id', a.id, 'audience_name', a.name,
            'entered_timestamp_ms', epoch_ms(h.entered_at), 'expiration_timestamp_ms', NULL) ORDER BY a.name))
        FROM _mosaic.audience_history h JOIN _mosaic.audiences a ON a.id = h.audience_id
        WHERE h.mpid = p.mpid AND h.exited_at IS NULL), '[]') AS VARCHAR) AS audience_memberships
FROM profiles p WHERE p.mpid = $1;
