-- The dropped rows that name a value of _forget_values (rows.sql) go
-- (forgetNamed, spelled.sql): where they spell it as an identity ($1 the
-- fields that hold one, NULL when unknown), as staging matches it (an
-- e-mail in any letter case), and, a value that is not a whole number,
-- wherever they hold it as a whole text, a JSON string or quoted inside
-- one (an attribute, an error message, a raw line's field: it names him
-- there too). So do those that name one of _forget_mpids (scope.sql) as
-- an MPID (forgetMPIDs; $2 the fields that hold one, NULL for "mpid"
-- alone). Only a row whose text contains the value or the MPID's digits
-- at all (a whole number as a whole run of digits: a short customer id
-- such as "42" is inside one row in nine's millisecond timestamp), or
-- that keeps a raw line with an escape, is looked at further: the candidates are materialised, or DuckDB folds the
-- costlier checks into the join and runs them on every row and value. The
-- shared_identity rows of a value that stays are shared.sql's.
DELETE FROM _mosaic.dropped_rows WHERE rowid IN (
    WITH candidates AS MATERIALIZED (
        SELECT DISTINCT d.id
        FROM (SELECT rowid AS id, lower(CAST("row" AS VARCHAR)) AS txt FROM _mosaic.dropped_rows) d
        JOIN (SELECT esc, regexp_full_match(esc, '[0-9]+') AS num FROM (
                  SELECT DISTINCT lower(substr(j, 2, length(j) - 2)) AS esc
                  FROM (SELECT CAST(to_json(identity_value) AS VARCHAR) AS j FROM _forget_values)
                  UNION
                  SELECT ltrim(CAST(mpid AS VARCHAR), '-') FROM _forget_mpids)) f
          ON contains(d.txt, f.esc)
         AND (NOT f.num OR list_contains(regexp_extract_all(d.txt, '[0-9]+'), f.esc))
        UNION
        -- A raw line may spell any character with a JSON escape (a\u0026b
        -- for a&b, \/ for /), which the row's text escapes once more:
        -- such a row is looked at whatever it holds.
        SELECT rowid FROM _mosaic.dropped_rows
        WHERE contains(CAST("row" AS VARCHAR), '\\u') OR contains(CAST("row" AS VARCHAR), '\\/')
    ),
    named AS MATERIALIZED (
        SELECT id, "row" FROM (SELECT rowid AS id, "row" FROM _mosaic.dropped_rows) SEMI JOIN candidates USING (id)
    ),
    named_values AS (SELECT id, unnest(forgetNamed("row", $1::VARCHAR[])) AS v FROM named),
    mpids AS (SELECT id, unnest(forgetMPIDs("row", $2::VARCHAR[])) AS mpid FROM named)
    SELECT n.id FROM named_values n JOIN _forget_values f
      ON n.v = f.identity_value OR (f.identity_type = 'email' AND lower(n.v) = lower(f.identity_value))
    UNION
    SELECT id FROM mpids SEMI JOIN _forget_mpids USING (mpid)
);
