-- The public views of the store, those the migrations create in main: the
-- only relations the SQL console reads. Views named with a leading _ or
-- without SQL are not public: duckdb-go's Arrow scans register views
-- (_arrow_N) in main whose stream is gone once staging ends, and reading
-- one crashes the process.
SELECT lower(view_name) FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
  AND NOT starts_with(view_name, '_') AND sql LIKE 'CREATE VIEW%'
ORDER BY 1;
