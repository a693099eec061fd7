-- The profile an alias MPID was merged into.
SELECT mpid FROM _mosaic.aliases WHERE alias_mpid = $1;
