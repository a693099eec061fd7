-- The columns of table $2 in schema $1 ('' for the search path's first).
SELECT column_name FROM information_schema.columns
WHERE table_schema = coalesce(nullif($1, ''), current_schema()) AND table_name = $2
ORDER BY ordinal_position
