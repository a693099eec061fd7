-- Block the forgotten identities (scope.sql's profiles', gathered by
-- rows.sql) from making a profile again: request $1 keeps their salted
-- hashes.
INSERT INTO _mosaic.blocked_identities (hash, forget_id)
SELECT DISTINCT sha256((SELECT value FROM _mosaic.meta WHERE key = 'identity_salt') || identity_type || ':' || identity_value), $1
FROM _forget_ids
ON CONFLICT DO NOTHING;
