-- The parts of one profile page; $1 is the profile's MPID (a survivor).

-- name: profile
SELECT created_at, updated_at, last_seen_at FROM main.profiles WHERE mpid = $1;

-- name: identities
SELECT identity_type, identity_value, first_seen_at, last_seen_at, feed
FROM main.profile_identities WHERE mpid = $1
ORDER BY identity_type, identity_value;

-- name: attributes
SELECT key, CAST(value AS VARCHAR), source_type, feed, updated_at, calculated
FROM main.profile_attributes WHERE mpid = $1
ORDER BY calculated, key;

-- name: audiences
SELECT audience, entered_at FROM main.audience_members WHERE mpid = $1
ORDER BY audience;

-- name: aliases
SELECT alias_mpid, merged_at, run_id FROM main.profile_aliases WHERE mpid = $1
ORDER BY merged_at, alias_mpid;

-- name: events
SELECT occurred_at, event_name, event_type, feed, CAST(attributes AS VARCHAR)
FROM main.events WHERE mpid = $1
ORDER BY occurred_at DESC, event_id
LIMIT 50;
