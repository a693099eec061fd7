-- Block the forgotten identities (scope.sql's profiles', gathered by
-- rows.sql) and the profiles' MPIDs, as "mpid:N", from making a profile
-- again: request $1 keeps their salted hashes.
INSERT INTO _mosaic.blocked_identities (hash, forget_id)
SELECT DISTINCT sha256((SELECT value FROM _mosaic.meta WHERE key = 'identity_salt') || k), $1
FROM (SELECT identity_type || ':' || identity_value AS k FROM _forget_ids
      UNION ALL
      SELECT 'mpid:' || CAST(mpid AS VARCHAR) FROM _forget_mpids)
ON CONFLICT DO NOTHING;
