-- The identity types of the blocked identities (types name no one), one
-- comma-separated list in meta: redact_blocked.sql hashes the values a
-- dropped row spells with these types alone instead of every known one.
-- Run before block.sql adds this request's: a store that has blocked
-- identities but no list blocked them before lists were kept, and gets
-- every known type ($1), as redact_blocked.sql assumed for it.
INSERT OR REPLACE INTO _mosaic.meta (key, value)
SELECT 'blocked_identity_types', string_agg(DISTINCT t, ',' ORDER BY t)
FROM (SELECT identity_type AS t FROM _forget_ids
      UNION
      SELECT unnest(string_split(value, ',')) FROM _mosaic.meta WHERE key = 'blocked_identity_types'
      UNION
      SELECT unnest($1::VARCHAR[])
      WHERE NOT EXISTS (SELECT 1 FROM _mosaic.meta WHERE key = 'blocked_identity_types')
        AND EXISTS (SELECT 1 FROM _mosaic.blocked_identities))
HAVING count(t) > 0;
