-- The connection's temp tables (engine/stage_close.go).
SELECT table_name FROM duckdb_tables() WHERE temporary;
