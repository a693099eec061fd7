-- Every function DuckDB has loaded: the SQL console refuses others, which
-- would make DuckDB install and load an extension (a download).
SELECT DISTINCT lower(function_name) FROM duckdb_functions();
