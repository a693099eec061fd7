-- Tables and views in a DuckDB file that mosaic did not make.
SELECT count(*) FROM duckdb_tables() WHERE NOT internal AND schema_name <> '_mosaic' AND NOT temporary;
