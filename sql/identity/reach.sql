-- The MPIDs run $1's rows name, in a table of their own: its row count
-- tells the planner that it is the small side of the joins below. Given
-- as a subquery, it was not: every profile went into a hash table (1.2-1.5 s
-- at 10M users, though no row named an MPID).
CREATE OR REPLACE TEMP TABLE _id_named AS
SELECT DISTINCT mpid FROM _mosaic.feed_rows WHERE run_id = $1 AND mpid IS NOT NULL;
-- The existing profiles run $1's rows can reach: those holding one of its
-- identities, and those its rows name by MPID (through aliases).
CREATE OR REPLACE TEMP TABLE _id_reach AS
SELECT DISTINCT i.mpid FROM _mosaic.identities i WHERE i.identity_id IN (SELECT id FROM _id_groups WHERE NOT new)
UNION
SELECT coalesce(a.mpid, p.mpid) FROM _id_named m
LEFT JOIN _mosaic.aliases a ON a.alias_mpid = m.mpid
LEFT JOIN _mosaic.profiles p ON p.mpid = m.mpid
WHERE coalesce(a.mpid, p.mpid) IS NOT NULL;
