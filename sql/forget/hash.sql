-- The salted hash of identity $1 ($2 its value): what forgotten and
-- blocked_identities keep instead of the value.
SELECT sha256((SELECT value FROM _mosaic.meta WHERE key = 'identity_salt') || $1 || ':' || $2);
