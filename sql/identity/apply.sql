-- Write the kernel's result into the store: the profiles (temp tables
-- _id_profiles, _id_gone) and the merges (_id_aliases). The identities,
-- the rows' profiles and the refusals come after, each straight from its
-- Arrow record (insert_*.sql.tmpl). $1: run id. _id_before keeps, past
-- the stage, the updated_at (epoch us) that the profiles written again
-- had before the run, for updated.sql once the attribute stage is done.
CREATE OR REPLACE TEMP TABLE _id_before AS SELECT mpid, before_us FROM _id_profiles WHERE is_new = 0;
DELETE FROM _mosaic.identities WHERE mpid IN (SELECT mpid FROM _id_profiles UNION ALL SELECT mpid FROM _id_gone);
DELETE FROM _mosaic.profiles WHERE mpid IN (SELECT mpid FROM _id_profiles UNION ALL SELECT mpid FROM _id_gone);
INSERT INTO _mosaic.profiles (mpid, created_at, updated_at, last_seen_at)
SELECT mpid, make_timestamptz(created_us), make_timestamptz(updated_us), make_timestamptz(last_seen_us) FROM _id_profiles;
UPDATE _mosaic.aliases AS a SET mpid = n.mpid FROM _id_aliases n WHERE a.mpid = n.alias_mpid;
INSERT INTO _mosaic.aliases (alias_mpid, mpid, merged_at, run_id, row_id, identity_id)
SELECT alias_mpid, mpid, make_timestamptz(merged_us), $1, row_id, identity_id FROM _id_aliases;
