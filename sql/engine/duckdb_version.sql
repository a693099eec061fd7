-- The DuckDB library's version and the source id it was built from.
SELECT library_version, source_id FROM pragma_version();
