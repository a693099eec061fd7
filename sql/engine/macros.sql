-- Helper macros for the staging SQL, created per connection (temporary).
-- epochTS: seconds (below 1e11) or milliseconds (below 1e14) since the
-- epoch, told apart by size; NULL for anything larger (nanoseconds, junk),
-- so that the row is dropped as invalid_timestamp rather than failing.
CREATE OR REPLACE TEMP MACRO epochTS(n) AS
    CASE WHEN abs(n) < 100000000000 THEN make_timestamptz(CAST(n AS BIGINT) * 1000000)
         WHEN abs(n) < 100000000000000 THEN make_timestamptz(CAST(n AS BIGINT) * 1000) END;
-- textTS: ISO 8601 text, or all-digit epoch text.
CREATE OR REPLACE TEMP MACRO textTS(s) AS
    coalesce(TRY_CAST(s AS TIMESTAMPTZ),
        CASE WHEN regexp_full_match(trim(s), '-?[0-9]{1,15}') THEN epochTS(CAST(trim(s) AS BIGINT)) END);
-- finiteTS: the time, or NULL when it is infinity or -infinity (which
-- DuckDB parses, but no event happened then).
CREATE OR REPLACE TEMP MACRO finiteTS(t) AS CASE WHEN isfinite(t) THEN t END;
-- utcDay: the UTC calendar day of a TIMESTAMPTZ, by integer arithmetic on
-- its epoch microseconds (flooring those before 1970): the same day as
-- CAST(timezone('UTC', t) AS DATE), which goes through ICU at 8x the cost
-- (0.82 s against 0.11 s over 8.5M events on 2 cores).
CREATE OR REPLACE TEMP MACRO utcDay(t) AS
    DATE '1970-01-01' + CAST(epoch_us(t) // 86400000000 - CASE WHEN epoch_us(t) % 86400000000 < 0 THEN 1 ELSE 0 END AS INTEGER);
-- normIdent: an identity value as matched: surrounding whitespace (tabs and
-- no-break spaces too) removed, e-mail lower-cased when lower is true; NULL
-- when nothing is left.
CREATE OR REPLACE TEMP MACRO normIdent(v, lower) AS
    NULLIF(CASE WHEN lower THEN lower(regexp_replace(v, '^[\s\x{00A0}\x{FEFF}]+|[\s\x{00A0}\x{FEFF}]+$', '', 'g'))
                ELSE regexp_replace(v, '^[\s\x{00A0}\x{FEFF}]+|[\s\x{00A0}\x{FEFF}]+$', '', 'g') END, '');
-- intText: text that is a whole integer (no decimals, no exponent), else NULL.
CREATE OR REPLACE TEMP MACRO intText(s) AS CASE WHEN regexp_full_match(trim(s), '-?[0-9]+') THEN trim(s) END;
-- cursorKey: a cursor value's sort key: integers as they are, timestamps as
-- epoch microseconds; NULL when it is neither.
CREATE OR REPLACE TEMP MACRO cursorKey(s) AS
    coalesce(TRY_CAST(intText(s) AS HUGEINT), epoch_us(finiteTS(TRY_CAST(s AS TIMESTAMPTZ))));
-- Identity values of typed columns (engine/column.go picks the macros by
-- the column's type; text, integers and DECIMAL(p,0) need none: they are
-- read as text). Each *Ident is the value as text, NULL when it is
-- refused; each *Refusal is why it is refused (a dropped_rows reason),
-- NULL when it is not.
-- wholeFloat: float x is a whole number below lim in magnitude (2^24 for
-- FLOAT, 2^53 for DOUBLE), where a float holds every integer exactly: its
-- digits are those of the number the source held. Not a fraction, NaN,
-- ±infinity, nor a larger value, whose last digits the float may have
-- lost (12345678901234567891 reads back as 12345678901234567168).
CREATE OR REPLACE TEMP MACRO wholeFloat(x, lim) AS x = trunc(x) AND abs(x) < lim;
CREATE OR REPLACE TEMP MACRO floatIdent(x, lim) AS CASE WHEN wholeFloat(x, lim) THEN CAST(CAST(x AS BIGINT) AS VARCHAR) END;
CREATE OR REPLACE TEMP MACRO floatRefusal(x, lim) AS CASE WHEN NOT wholeFloat(x, lim) THEN 'identity_not_integer' END;
-- decimalIdent: a DECIMAL with a scale as the digits of a whole number
-- (777.00 → 777); a fraction is refused.
CREATE OR REPLACE TEMP MACRO decimalIdent(x) AS CASE WHEN x = trunc(x) THEN CAST(trunc(x) AS VARCHAR) END;
CREATE OR REPLACE TEMP MACRO decimalRefusal(x) AS CASE WHEN x <> trunc(x) THEN 'identity_not_integer' END;
-- nestedRefusal: a list, array, struct, map or union is no identity value.
CREATE OR REPLACE TEMP MACRO nestedRefusal(x) AS CASE WHEN x IS NOT NULL THEN 'identity_not_scalar' END;
-- jsonIdent: a JSON value (of a JSON column, as an NDJSON file's keys
-- stage): a string as its text, an integer as its digits (one past 64
-- bits as written: DuckDB keeps its text), true and false as such; a
-- number with a fraction or an exponent as a whole DOUBLE (777.0 → 777);
-- an array or an object is refused.
CREATE OR REPLACE TEMP MACRO jsonIdent(j) AS CASE json_type(j)
    WHEN 'ARRAY' THEN NULL
    WHEN 'OBJECT' THEN NULL
    WHEN 'DOUBLE' THEN CASE WHEN regexp_full_match(j->>'$', '-?[0-9]+') THEN j->>'$'
                            ELSE floatIdent(TRY_CAST(j AS DOUBLE), 9007199254740992) END
    ELSE j->>'$' END;
CREATE OR REPLACE TEMP MACRO jsonRefusal(j) AS CASE json_type(j)
    WHEN 'ARRAY' THEN 'identity_not_scalar'
    WHEN 'OBJECT' THEN 'identity_not_scalar'
    WHEN 'DOUBLE' THEN CASE WHEN jsonIdent(j) IS NULL THEN 'identity_not_integer' END END;
