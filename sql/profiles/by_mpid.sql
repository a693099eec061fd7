-- The profile an MPID names: itself, or the survivor of an alias.
SELECT coalesce((SELECT mpid FROM profile_aliases WHERE alias_mpid = $1), $1);
