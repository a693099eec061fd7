-- Profiles for the serve benchmark to ask for: MPIDs, with a customer ID
-- where the profile has one (for the Events API's batches).
SELECT p.mpid, coalesce(i.identity_value, 'bench-' || p.mpid)
FROM (SELECT mpid FROM profiles USING SAMPLE 2000 ROWS) p
LEFT JOIN (SELECT mpid, min(identity_value) AS identity_value FROM profile_identities WHERE identity_type = 'customerid' GROUP BY mpid) i USING (mpid);
