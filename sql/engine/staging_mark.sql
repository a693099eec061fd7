-- A run's staging marker (engine/staging.go): {"run", "first_row"}.
INSERT OR REPLACE INTO _mosaic.meta (key, value) VALUES ('staging', $1);
