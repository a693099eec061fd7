-- The syntax tree of the console's query $1 as JSON text (SELECT
-- statements only; anything else answers {"error": true, ...}).
SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR);
