-- Each dirty pair's aggregate over its input events (_calc_events), by
-- kind. value is JSON; n, total, lo and hi are the parts that count, sum,
-- min and max combine incrementally. Ties: first_value to the smallest
-- value (JSON text), last_value to the largest,
-- most_frequent by the most recent then the smallest value; unique_values
-- lists at most 100 values, most recently seen first.
CREATE OR REPLACE TEMP TABLE _calc_agg AS
WITH simple AS (
    SELECT idx, mpid, any_value(kind) AS kind, count(*) AS n,
        sum(num) AS total, count(num) AS nums, min(num) AS lo, max(num) AS hi,
        arg_min(v, (occurred_at, CAST(v AS VARCHAR))) FILTER (WHERE v IS NOT NULL AND kind = 'first_value') AS first_v,
        arg_max(v, (occurred_at, CAST(v AS VARCHAR))) FILTER (WHERE v IS NOT NULL AND kind = 'last_value') AS last_v,
        min(occurred_at) AS first_at, max(occurred_at) AS last_at
    FROM _calc_events
    WHERE kind NOT IN ('most_frequent', 'unique_count', 'unique_values')
    GROUP BY idx, mpid
),
per_value AS (
    SELECT idx, mpid, kind, CAST(v AS VARCHAR) AS vt, count(*) AS n, max(occurred_at) AS last
    FROM _calc_events
    WHERE kind IN ('most_frequent', 'unique_count', 'unique_values') AND v IS NOT NULL
    GROUP BY idx, mpid, kind, vt
)
SELECT idx, mpid, n, total, lo, hi,
    CAST(CASE kind
        WHEN 'count' THEN CAST(n AS VARCHAR)
        WHEN 'sum' THEN calcDec(coalesce(total, 0))
        WHEN 'min' THEN calcDec(lo)
        WHEN 'max' THEN calcDec(hi)
        WHEN 'average' THEN calcNum(CAST(total AS DOUBLE) / nullif(nums, 0))
        WHEN 'first_value' THEN first_v
        WHEN 'last_value' THEN last_v
        WHEN 'first_timestamp' THEN calcTime(first_at)
        WHEN 'last_timestamp' THEN calcTime(last_at)
    END AS VARCHAR) AS value
FROM simple
UNION ALL
SELECT idx, mpid, NULL, NULL, NULL, NULL,
    CASE any_value(kind)
        WHEN 'unique_count' THEN CAST(count(*) AS VARCHAR)
        WHEN 'most_frequent' THEN calcMostFrequent(vt, n, last)
        WHEN 'unique_values' THEN calcUniqueValues(vt, last)
    END
FROM per_value
GROUP BY idx, mpid;
