-- The store's MPIDs (profiles and aliases) that a profile created in this
-- run could be given (doc.go rule 9): those at most 63 above a seed of the
-- run's identities, found as the store's MPIDs in a seed's 64-wide bucket
-- or the next (a few more than needed, all of them taken). A probe that
-- goes further is caught by collisions.sql. An empty store (a full
-- rebuild) skips grouping the seeds.
WITH taken AS (SELECT mpid FROM _mosaic.profiles UNION ALL SELECT alias_mpid FROM _mosaic.aliases),
buckets AS (SELECT DISTINCT seed // 64 AS b FROM _id_groups WHERE EXISTS (SELECT 1 FROM taken))
SELECT mpid FROM taken WHERE mpid // 64 IN (SELECT b FROM buckets UNION ALL SELECT b + 1 FROM buckets);
