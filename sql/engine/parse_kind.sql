-- How DuckDB's parser (no binding, so no catalog lookup) takes a query, $1:
-- its error type, NULL when it parses as a SELECT ("not implemented" for
-- any other statement, "parser" for a syntax error).
SELECT CASE WHEN (j->>'error')::BOOLEAN THEN j->>'error_type' END
FROM (SELECT json_serialize_sql(CAST($1 AS VARCHAR)) AS j);
