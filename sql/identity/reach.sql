-- The profiles the run's rows can reach: those holding one of its
-- identities, and those its row mpids name (directly or as an alias).
CREATE OR REPLACE TEMP TABLE _id_reach AS
SELECT DISTINCT i.mpid FROM _mosaic.identities i WHERE i.identity_id IN (SELECT ident FROM _id_run)
UNION
SELECT coalesce(a.mpid, p.mpid) FROM (SELECT DISTINCT mpid FROM _id_run WHERE mpid <> 0) m
LEFT JOIN _mosaic.aliases a ON a.alias_mpid = m.mpid
LEFT JOIN _mosaic.profiles p ON p.mpid = m.mpid
WHERE coalesce(a.mpid, p.mpid) IS NOT NULL;
