-- The profile holding an identity; a shared one resolves as matching does:
-- the holder that saw it most recently, ties to the smaller MPID.
SELECT mpid FROM profile_identities
WHERE identity_type = $1 AND identity_value = $2
ORDER BY last_seen_at DESC, mpid
LIMIT 1;
