-- A pipeline that does not serve the Profile API stops keeping the
-- documents: they go stale, and a later run that serves them again
-- rebuilds them all.
DELETE FROM _mosaic.meta WHERE key = 'profile_docs';
