-- --full-refresh: forget what was read and what was built from it, so the
-- run re-reads every feed from the start. Run history, dropped rows and
-- (later) output delivery state are kept.
DELETE FROM _mosaic.source_state;
DELETE FROM _mosaic.feed_identities;
DELETE FROM _mosaic.feed_attributes;
DELETE FROM _mosaic.feed_deletions;
DELETE FROM _mosaic.feed_events;
DELETE FROM _mosaic.feed_batches;
DELETE FROM _mosaic.feed_rows;
DELETE FROM _mosaic.row_profiles;
DELETE FROM _mosaic.identity_dict;
DELETE FROM _mosaic.identities;
DELETE FROM _mosaic.attributes;
DELETE FROM _mosaic.calc_values;
DELETE FROM _mosaic.aliases;
DELETE FROM _mosaic.merge_refusals;
DELETE FROM _mosaic.events;
DELETE FROM _mosaic.profiles;
DELETE FROM _mosaic.profile_docs;
DELETE FROM _mosaic.profile_keys;
DELETE FROM _mosaic.meta WHERE key = 'profile_docs';
