-- Arrow views that runs of mosaic before 0.9 left in main (see
-- drop_arrow_view.sql.tmpl): reading one crashes the process.
SELECT view_name FROM duckdb_views()
WHERE schema_name = 'main' AND NOT temporary AND regexp_full_match(view_name, '_arrow_[0-9]+');
