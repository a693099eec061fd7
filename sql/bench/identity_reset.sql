-- Forget what the identity and attribute stages built, and every run after
-- run $1, so that BenchmarkStageOnStore can resolve run $1 again from
-- scratch (inside a transaction it rolls back).
DELETE FROM _mosaic.feed_identities WHERE row_id >= (SELECT coalesce(min(row_id), 9223372036854775807) FROM _mosaic.feed_rows WHERE run_id > $1);
DELETE FROM _mosaic.feed_rows WHERE run_id > $1;
DELETE FROM _mosaic.row_profiles;
DELETE FROM _mosaic.identity_dict;
DELETE FROM _mosaic.identities;
DELETE FROM _mosaic.aliases;
DELETE FROM _mosaic.profiles;
DELETE FROM _mosaic.attributes;
DELETE FROM _mosaic.calc_values;
