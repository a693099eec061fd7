-- Whether the file holds mosaic's private schema.
SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_mosaic' AND table_name = 'meta';
