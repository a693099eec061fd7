-- The staged columns of a temp table and their types, in order.
SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = $1 ORDER BY column_index;
