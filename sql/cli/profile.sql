-- One profile as JSON: times (RFC 3339, UTC), identities, attributes and aliases.
SELECT CAST(json_object(
    'mpid', p.mpid,
    'created_at', strftime(p.created_at, '%Y-%m-%dT%H:%M:%SZ'),
    'updated_at', strftime(p.updated_at, '%Y-%m-%dT%H:%M:%SZ'),
    'last_seen_at', strftime(p.last_seen_at, '%Y-%m-%dT%H:%M:%SZ'),
    'identities', coalesce((
        SELECT to_json(list(json_object('type', identity_type, 'value', identity_value,
            'first_seen_at', strftime(first_seen_at, '%Y-%m-%dT%H:%M:%SZ'), 'last_seen_at', strftime(last_seen_at, '%Y-%m-%dT%H:%M:%SZ'), 'feed', feed) ORDER BY identity_type, identity_value))
        FROM profile_identities i WHERE i.mpid = p.mpid), '[]'),
    'attributes', coalesce((
        SELECT json_group_object(key, value) FROM profile_attributes a WHERE a.mpid = p.mpid), '{}'),
    'aliases', coalesce((
        SELECT to_json(list(json_object('mpid', alias_mpid, 'merged_at', strftime(merged_at, '%Y-%m-%dT%H:%M:%SZ'), 'run_id', run_id) ORDER BY alias_mpid))
        FROM profile_aliases a WHERE a.mpid = p.mpid), '[]')
) AS VARCHAR)
FROM profiles p WHERE p.mpid = $1;
