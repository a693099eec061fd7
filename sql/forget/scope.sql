-- The profiles that forgetting profile $1 (a survivor) erases: it and
-- every MPID merged into it. keys.sql and erase.sql read them.
CREATE OR REPLACE TEMP TABLE _forget_mpids AS
SELECT $1 AS mpid UNION SELECT alias_mpid FROM _mosaic.aliases WHERE mpid = $1;
