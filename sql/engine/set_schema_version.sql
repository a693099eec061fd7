INSERT OR REPLACE INTO _mosaic.meta (key, value) VALUES ('schema_version', ?);
