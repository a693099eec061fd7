-- A pipeline that does not serve the Profile API keeps no documents: a
-- document kept on would outlive what retention, a full refresh or a
-- change of the feeds removes from the profile it copies. The documents,
-- their keys and their state go (a table already empty costs nothing); a
-- later run that serves them again rebuilds them all.
-- name: docs
DELETE FROM _mosaic.profile_docs;
-- name: keys
DELETE FROM _mosaic.profile_keys;
-- name: state
DELETE FROM _mosaic.meta WHERE key = 'profile_docs';
