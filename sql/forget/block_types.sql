-- The identity types of the blocked identities (types name no one), one
-- comma-separated list in meta: redact_blocked.sql hashes the values a
-- dropped row spells with these types alone instead of every known one.
INSERT OR REPLACE INTO _mosaic.meta (key, value)
SELECT 'blocked_identity_types', string_agg(DISTINCT t, ',' ORDER BY t)
FROM (SELECT identity_type AS t FROM _forget_ids
      UNION
      SELECT unnest(string_split(value, ',')) FROM _mosaic.meta WHERE key = 'blocked_identity_types');
