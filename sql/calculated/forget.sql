-- Drop the calculated values no longer valid: those of attributes removed
-- from the pipeline or whose definition changed (they are computed afresh),
-- and those of profiles merged away in run $1 (their events now belong to
-- the survivor, which is recomputed).
DELETE FROM _mosaic.calc_values
WHERE attr NOT IN (SELECT attr FROM _calc_plan WHERE NOT fresh)
    OR mpid IN (SELECT alias_mpid FROM _mosaic.aliases WHERE run_id = $1);
