-- The store's schema version (only asked once has_meta.sql found the table).
SELECT CAST(value AS INTEGER) FROM _mosaic.meta WHERE key = 'schema_version';
