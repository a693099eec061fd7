-- Profiles the kernel created on an MPID the store already uses: it knew
-- only the store's MPIDs near the run's seeds (taken.sql), so a long probe
-- may land on one. The stage then runs the kernel again with these taken.
-- It asks only when a new MPID lies outside the buckets taken.sql loaded.
SELECT n.mpid FROM _id_profiles n
WHERE n.is_new = 1 AND (n.mpid IN (SELECT mpid FROM _mosaic.profiles) OR n.mpid IN (SELECT alias_mpid FROM _mosaic.aliases));
