-- The identities and attributes of the profiles in $1 (MPIDs,
-- comma-separated), through the public views: read in the run's
-- transaction it gives them after the run, read by a reader of the store
-- as committed, before it.
WITH ids AS (SELECT CAST(unnest(string_split($1, ',')) AS BIGINT) AS mpid)
SELECT mpid, 'identity' AS kind, identity_type AS name, identity_value AS value
FROM main.profile_identities WHERE mpid IN (SELECT mpid FROM ids)
UNION ALL
SELECT mpid, 'attribute', key, CAST(value AS VARCHAR)
FROM main.profile_attributes WHERE mpid IN (SELECT mpid FROM ids)
ORDER BY ALL;
