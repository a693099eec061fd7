-- `mosaic profile --identity TYPE=VALUE` when no profile holds the value:
-- the values of that type that differ from it only in case. $1 type, $2
-- value.
SELECT DISTINCT identity_value FROM profile_identities
WHERE identity_type = $1 AND lower(identity_value) = lower($2)
ORDER BY identity_value
LIMIT 5;
