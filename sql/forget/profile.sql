-- The profile to forget: the survivor of MPID $1 (itself, or the profile
-- it merged into), if the store has it.
SELECT mpid FROM _mosaic.profiles WHERE mpid = coalesce((SELECT mpid FROM _mosaic.aliases WHERE alias_mpid = $1), $1);
