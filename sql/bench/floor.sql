-- The floor the identity stage cannot beat: the distinct identities of
-- every staged row, counted (docs/performance.md).
SELECT count(*) FROM (SELECT DISTINCT identity_type, identity_value FROM _mosaic.feed_identities);
