-- The store's MPIDs (profiles and aliases) that a profile created in this
-- run could be given (doc.go rule 9): those at most 63 above a seed of the
-- run's identities, found by equality joins on 64-wide buckets. Loading
-- only these keeps the stage O(run), not O(store); a probe that goes
-- further is caught by collisions.sql.
WITH seeds AS (SELECT DISTINCT seed FROM _id_groups),
taken AS (SELECT mpid FROM _mosaic.profiles UNION ALL SELECT alias_mpid FROM _mosaic.aliases)
SELECT t.mpid FROM taken t JOIN seeds s ON t.mpid // 64 = s.seed // 64 WHERE t.mpid >= s.seed
UNION
SELECT t.mpid FROM taken t JOIN seeds s ON t.mpid // 64 = s.seed // 64 + 1 WHERE t.mpid - s.seed < 64;
