-- Every MPID in use, for collision-safe creation (doc.go rule 9).
SELECT mpid FROM _mosaic.profiles UNION ALL SELECT alias_mpid FROM _mosaic.aliases;
