-- The profiles that forgetting profile $1 (a survivor) erases: it and
-- every MPID merged into it. keys.sql and erase.sql read them. When no
-- profile holds what the request names, $1 is the MPID it names, or NULL
-- (an identity: none), whose dropped rows and stats entries still go.
CREATE OR REPLACE TEMP TABLE _forget_mpids AS
SELECT CAST($1 AS BIGINT) AS mpid WHERE $1 IS NOT NULL
UNION SELECT alias_mpid FROM _mosaic.aliases WHERE mpid = $1;
