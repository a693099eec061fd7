-- Delete the profiles not seen since $1 with everything that is theirs:
-- identities, attributes (calculated ones too), audience memberships and
-- their history, events, the record of which feed rows were theirs (so that
-- a later profile with the same MPID does not inherit their history), the
-- joins refused with them, and the aliases of profiles merged into them. _ret_gone lists the profiles,
-- _ret_ids them and their aliases.
-- name: gone
CREATE OR REPLACE TEMP TABLE _ret_gone AS SELECT mpid FROM _mosaic.profiles WHERE last_seen_at < $1;
-- name: ids
CREATE OR REPLACE TEMP TABLE _ret_ids AS
SELECT mpid FROM _ret_gone
UNION ALL
SELECT alias_mpid FROM _mosaic.aliases WHERE mpid IN (SELECT mpid FROM _ret_gone);
DELETE FROM _mosaic.identities WHERE mpid IN (SELECT mpid FROM _ret_gone);
DELETE FROM _mosaic.attributes WHERE mpid IN (SELECT mpid FROM _ret_ids);
DELETE FROM _mosaic.calc_values WHERE mpid IN (SELECT mpid FROM _ret_ids);
DELETE FROM _mosaic.audience_history WHERE mpid IN (SELECT mpid FROM _ret_ids);
DELETE FROM _mosaic.events WHERE mpid IN (SELECT mpid FROM _ret_ids);
DELETE FROM _mosaic.row_profiles WHERE mpid IN (SELECT mpid FROM _ret_ids);
DELETE FROM _mosaic.merge_refusals WHERE mpid IN (SELECT mpid FROM _ret_ids) OR other_mpid IN (SELECT mpid FROM _ret_ids);
DELETE FROM _mosaic.aliases WHERE mpid IN (SELECT mpid FROM _ret_gone);
DELETE FROM _mosaic.profiles WHERE mpid IN (SELECT mpid FROM _ret_gone);
