-- The storage format of the store's file, as DuckDB records it ("v1.2.0+").
SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database();
