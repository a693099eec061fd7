-- Helper macros of the calculated-attribute stage, created at the start of
-- the stage (temporary, per connection). Values are JSON.
-- calcEmpty: a kind's value over no events, as JSON text.
CREATE OR REPLACE TEMP MACRO calcEmpty(kind) AS
    CASE WHEN kind IN ('count', 'sum', 'unique_count') THEN '0' WHEN kind = 'unique_values' THEN '[]' ELSE 'null' END;
-- calcNum: a number as JSON text without trailing zeros (12.500000000 as
-- 12.5, 100.0 as 100), so that equal values have equal text.
CREATE OR REPLACE TEMP MACRO calcNum(x) AS
    CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '-?[0-9]+\.[0-9]+') THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.')
         ELSE CAST(x AS VARCHAR) END;
-- calcDec: calcNum of a DECIMAL(38, 9), whose text always has 9 decimals;
-- through DECIMAL(18, 9) where it fits, whose text DuckDB 1.5 writes ~10x
-- faster (same text).
CREATE OR REPLACE TEMP MACRO calcDec(x) AS
    rtrim(rtrim(CASE WHEN x BETWEEN -999999999 AND 999999999 THEN CAST(CAST(x AS DECIMAL(18, 9)) AS VARCHAR)
        ELSE CAST(x AS VARCHAR) END, '0'), '.');
-- calcTime: a time as JSON text, ISO 8601 in UTC with milliseconds (the
-- UTC wall time from the epoch, without a time zone lookup per value).
CREATE OR REPLACE TEMP MACRO calcTime(t) AS to_json(strftime(make_timestamp(epoch_us(t)), '%Y-%m-%dT%H:%M:%S.%gZ'));
-- calcDecimal: a JSON value's number (a JSON number or numeric text) as
-- DECIMAL(38, 9), NULL for anything else. Text parses to DECIMAL(18, 9)
-- ~100x faster than to DECIMAL(38, 9) (DuckDB 1.5), with the same value
-- where it fits, so the wide type is only tried for what does not fit.
CREATE OR REPLACE TEMP MACRO calcDecimal(j) AS
    coalesce(TRY_CAST(json_extract_string(j, '$') AS DECIMAL(18, 9)), TRY_CAST(json_extract_string(j, '$') AS DECIMAL(38, 9)));
-- calcMostFrequent(vt, n, last), an aggregate over a profile's distinct
-- values (vt, JSON text) with their count n and last time: the value seen
-- most often, ties to the most recent, then the smallest. calcUniqueValues:
-- the values as a JSON list, most recently seen first (ties: smallest
-- first), at most 100. Plain aggregates and a list sort: DuckDB's ordered
-- aggregates (first(x ORDER BY ...)) are far slower over many groups.
CREATE OR REPLACE TEMP MACRO calcMostFrequent(vt, n, last) AS
    arg_min(vt, {'n': -n, 'last': -epoch_us(last), 'vt': vt});
CREATE OR REPLACE TEMP MACRO calcUniqueValues(vt, last) AS
    '[' || array_to_string(list_transform(list_sort(list({'last': -epoch_us(last), 'vt': vt}))[1:100], x -> x.vt), ',') || ']';
