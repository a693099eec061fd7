-- Helper macros of the calculated-attribute stage, created at the start of
-- the stage (temporary, per connection). Values are JSON; predicates follow
-- internal/calc's doc comment.
-- calcText: a JSON scalar as text (strings unquoted); NULL when absent or null.
CREATE OR REPLACE TEMP MACRO calcText(j) AS CASE WHEN json_type(j) <> 'NULL' THEN json_extract_string(j, '$') END;
-- calcIsNum: the JSON value is a number.
CREATE OR REPLACE TEMP MACRO calcIsNum(j) AS json_type(j) IN ('BIGINT', 'UBIGINT', 'DOUBLE');
-- calcEq: attribute value j equals the wanted value w: as numbers when w is
-- a number (the attribute may be a number or numeric text), else as text.
CREATE OR REPLACE TEMP MACRO calcEq(j, w) AS
    CASE WHEN calcIsNum(w) THEN TRY_CAST(calcText(j) AS DOUBLE) = CAST(calcText(w) AS DOUBLE)
         ELSE calcText(j) = calcText(w) END;
-- calcCmp: -1, 0 or 1 as j is below, at or above w (numbers when w is a
-- number, text otherwise); NULL when j is absent or not comparable.
CREATE OR REPLACE TEMP MACRO calcCmp(j, w) AS
    CASE WHEN calcIsNum(w) THEN sign(TRY_CAST(calcText(j) AS DOUBLE) - CAST(calcText(w) AS DOUBLE))
         WHEN calcText(j) < calcText(w) THEN -1 WHEN calcText(j) > calcText(w) THEN 1 WHEN calcText(j) = calcText(w) THEN 0 END;
-- calcPred: the attribute of attrs at JSON pointer path passes operator op
-- with value w. Only ne holds for an absent attribute.
CREATE OR REPLACE TEMP MACRO calcPred(attrs, path, op, w) AS coalesce(CASE op
    WHEN 'exists' THEN json_type(json_extract(attrs, path)) <> 'NULL'
    WHEN 'eq' THEN calcEq(json_extract(attrs, path), w)
    WHEN 'ne' THEN NOT coalesce(calcEq(json_extract(attrs, path), w), false)
    WHEN 'lt' THEN calcCmp(json_extract(attrs, path), w) < 0
    WHEN 'lte' THEN calcCmp(json_extract(attrs, path), w) <= 0
    WHEN 'gt' THEN calcCmp(json_extract(attrs, path), w) > 0
    WHEN 'gte' THEN calcCmp(json_extract(attrs, path), w) >= 0
    WHEN 'in' THEN list_bool_or(list_transform(json_extract(w, '$[*]'), x -> coalesce(calcEq(json_extract(attrs, path), x), false)))
    WHEN 'contains' THEN CASE WHEN json_type(json_extract(attrs, path)) = 'ARRAY'
        THEN list_contains(json_extract_string(json_extract(attrs, path), '$[*]'), calcText(w))
        ELSE contains(calcText(json_extract(attrs, path)), calcText(w)) END
    WHEN 'starts_with' THEN starts_with(calcText(json_extract(attrs, path)), calcText(w))
    WHEN 'matches' THEN regexp_matches(calcText(json_extract(attrs, path)), calcText(w))
    END, false);
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
