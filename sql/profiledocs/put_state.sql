-- The documents are current as $1 (JSON: run and definitions) says.
INSERT OR REPLACE INTO _mosaic.meta (key, value) VALUES ('profile_docs', $1);
