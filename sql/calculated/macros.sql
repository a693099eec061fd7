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
-- calcTime: a time as JSON text, ISO 8601 in UTC with milliseconds.
CREATE OR REPLACE TEMP MACRO calcTime(t) AS to_json(strftime(timezone('UTC', t), '%Y-%m-%dT%H:%M:%S.%gZ'));
