-- Write the kernel's result (temp tables _id_profiles, _id_holdings,
-- _id_gone, _id_aliases, _id_rows, _id_drops, _id_refusals) into the
-- store. $1: run id.
DELETE FROM _mosaic.identities WHERE mpid IN (SELECT mpid FROM _id_profiles UNION ALL SELECT mpid FROM _id_gone);
INSERT INTO _mosaic.identities (mpid, first_seen_at, last_seen_at, feed, identity_id)
SELECT mpid, make_timestamptz(first_us), make_timestamptz(last_us), feed, ident FROM _id_holdings;
DELETE FROM _mosaic.profiles WHERE mpid IN (SELECT mpid FROM _id_profiles UNION ALL SELECT mpid FROM _id_gone);
INSERT INTO _mosaic.profiles (mpid, created_at, updated_at, last_seen_at)
SELECT mpid, make_timestamptz(created_us), make_timestamptz(updated_us), make_timestamptz(last_seen_us) FROM _id_profiles;
UPDATE _mosaic.aliases AS a SET mpid = n.mpid FROM _id_aliases n WHERE a.mpid = n.alias_mpid;
INSERT INTO _mosaic.aliases (alias_mpid, mpid, merged_at, run_id, row_id, identity_id)
SELECT alias_mpid, mpid, make_timestamptz(merged_us), $1, row_id, identity_id FROM _id_aliases;
INSERT INTO _mosaic.row_profiles (row_id, mpid) SELECT row_id, mpid FROM _id_rows WHERE mpid <> 0;
INSERT INTO _mosaic.merge_refusals (run_id, refused_at, row_id, identity_id, mpid, other_mpid, "rows", rule, rule_type)
SELECT $1, make_timestamptz(at_us), row_id, nullif(identity_id, 0), nullif(mpid, 0), other_mpid, "rows", rule, rule_type FROM _id_refusals;
