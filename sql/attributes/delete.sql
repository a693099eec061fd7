-- Delete the touched pairs (and anything still stored under an alias);
-- insert.sql.tmpl then writes the fold's result in their place.
DELETE FROM _mosaic.attributes
WHERE NOT calculated AND (mpid IN (SELECT alias_mpid FROM _mosaic.aliases)
    OR (mpid, key) IN (SELECT mpid, key FROM _attr_touched));
