-- How a run evaluates the audiences of pipeline predicates: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: attr_eq_num event_eq_num attr_eq_num_frac event_eq_num_frac attr_eq_text event_eq_text attr_eq_text_digits event_eq_text_digits attr_eq_bool event_eq_bool attr_ne_num event_ne_num attr_ne_text event_ne_text attr_ne_bool event_ne_bool attr_lt_num event_lt_num attr_lte_num event_lte_num attr_gt_num event_gt_num attr_gte_num event_gte_num attr_lt_text event_lt_text attr_lte_text event_lte_text attr_gt_text event_gt_text attr_gte_text event_gte_text attr_in_mixed event_in_mixed attr_contains_text event_contains_text attr_contains_list event_contains_list attr_starts_with event_starts_with attr_matches event_matches attr_exists event_exists attr_eq_text_upper event_eq_text_upper attr_eq_text_cs event_eq_text_cs attr_ne_text_cs event_ne_text_cs attr_lt_text_cs event_lt_text_cs attr_in_text_cs event_in_text_cs attr_contains_text_upper event_contains_text_upper attr_contains_text_cs event_contains_text_cs attr_contains_list_upper event_contains_list_upper attr_contains_list_cs event_contains_list_cs attr_starts_with_cs event_starts_with_cs attr_matches_cs event_matches_cs
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN key = 'v' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) = 5) THEN 2 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) = 12.5) THEN 8 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'gold') THEN 32 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') = '5') THEN 128 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true') THEN 512 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) <> 'NULL' AND NOT coalesce(TRY_CAST((value ->> '$') AS DOUBLE) = 5, false)) THEN 2048 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'gold', false)) THEN 8192 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true', false)) THEN 32768 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) < 12.5) THEN 131072 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) <= 12.5) THEN 524288 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) > 5) THEN 2097152 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) >= 5) THEN 8388608 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') < 'gold') THEN 33554432 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') <= 'gold') THEN 134217728 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') > 'gold') THEN 536870912 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') >= 'gold') THEN 2147483648 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND ((json_type(value) = 'VARCHAR' AND lower(value ->> '$') IN ('gold') OR TRY_CAST((value ->> '$') AS DOUBLE) IN (5) OR json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') IN ('true'))) THEN 8589934592 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (CASE json_type(value) WHEN 'VARCHAR' THEN contains(lower(value ->> '$'), 'old') WHEN 'ARRAY' THEN list_contains(list_transform(TRY_CAST(value AS VARCHAR[]), lambda x: lower(x)), 'old') ELSE false END) THEN 34359738368 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (CASE json_type(value) WHEN 'VARCHAR' THEN contains(lower(value ->> '$'), 'silver') WHEN 'ARRAY' THEN list_contains(list_transform(TRY_CAST(value AS VARCHAR[]), lambda x: lower(x)), 'silver') ELSE false END) THEN 137438953472 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND starts_with(lower(value ->> '$'), 'gol')) THEN 549755813888 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND regexp_matches((value ->> '$'), '^G', 'i')) THEN 2199023255552 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) <> 'NULL') THEN 8796093022208 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold') THEN 35184372088832 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold', false)) THEN 140737488355328 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND (value ->> '$') < 'gold') THEN 562949953421312 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND ((json_type(value) = 'VARCHAR' AND (value ->> '$') IN ('Gold') OR TRY_CAST((value ->> '$') AS DOUBLE) IN (5))) THEN 2251799813685248 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (CASE json_type(value) WHEN 'VARCHAR' THEN contains((value ->> '$'), 'Gol') WHEN 'ARRAY' THEN list_contains(TRY_CAST(value AS VARCHAR[]), 'Gol') ELSE false END) THEN 9007199254740992 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (CASE json_type(value) WHEN 'VARCHAR' THEN contains((value ->> '$'), 'SILVER') WHEN 'ARRAY' THEN list_contains(TRY_CAST(value AS VARCHAR[]), 'SILVER') ELSE false END) THEN 36028797018963968 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND starts_with((value ->> '$'), 'gol')) THEN 144115188075855872 ELSE 0 END
        | CASE WHEN key = 'v' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND regexp_matches((value ->> '$'), '^G')) THEN 576460752303423488 ELSE 0 END AS b0
    FROM main.profile_attributes
    WHERE key IN ('v')
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) = 5)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 16 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) = 12.5)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 64 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') = 'gold')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 256 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') = '5')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 1024 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) IN ('BOOLEAN', 'VARCHAR') AND (json_extract(attributes, '/v')
 ->> '$') = 'true')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4096 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) <> 'NULL' AND NOT coalesce(TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) = 5, false))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 16384 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) <> 'NULL' AND NOT coalesce(json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') = 'gold', false))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 65536 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) <> 'NULL' AND NOT coalesce(json_type(json_extract(attributes, '/v')
) IN ('BOOLEAN', 'VARCHAR') AND (json_extract(attributes, '/v')
 ->> '$') = 'true', false))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 262144 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) < 12.5)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 1048576 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) <= 12.5)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4194304 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) > 5)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 16777216 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) >= 5)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 67108864 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') < 'gold')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 268435456 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') <= 'gold')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 1073741824 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') > 'gold')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4294967296 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') >= 'gold')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 17179869184 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND ((json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND lower(json_extract(attributes, '/v')
 ->> '$') IN ('gold') OR TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) IN (5) OR json_type(json_extract(attributes, '/v')
) IN ('BOOLEAN', 'VARCHAR') AND (json_extract(attributes, '/v')
 ->> '$') IN ('true')))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 68719476736 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (CASE json_type(json_extract(attributes, '/v')
) WHEN 'VARCHAR' THEN contains(lower(json_extract(attributes, '/v')
 ->> '$'), 'old') WHEN 'ARRAY' THEN list_contains(list_transform(TRY_CAST(json_extract(attributes, '/v')
 AS VARCHAR[]), lambda x: lower(x)), 'old') ELSE false END)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 274877906944 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (CASE json_type(json_extract(attributes, '/v')
) WHEN 'VARCHAR' THEN contains(lower(json_extract(attributes, '/v')
 ->> '$'), 'silver') WHEN 'ARRAY' THEN list_contains(list_transform(TRY_CAST(json_extract(attributes, '/v')
 AS VARCHAR[]), lambda x: lower(x)), 'silver') ELSE false END)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 1099511627776 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND starts_with(lower(json_extract(attributes, '/v')
 ->> '$'), 'gol'))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4398046511104 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND regexp_matches((json_extract(attributes, '/v')
 ->> '$'), '^G', 'i'))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 17592186044416 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) <> 'NULL')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 70368744177664 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND (json_extract(attributes, '/v')
 ->> '$') = 'gold')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 281474976710656 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) <> 'NULL' AND NOT coalesce(json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND (json_extract(attributes, '/v')
 ->> '$') = 'gold', false))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 1125899906842624 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND (json_extract(attributes, '/v')
 ->> '$') < 'gold')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4503599627370496 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND ((json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND (json_extract(attributes, '/v')
 ->> '$') IN ('Gold') OR TRY_CAST((json_extract(attributes, '/v')
 ->> '$') AS DOUBLE) IN (5)))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 18014398509481984 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (CASE json_type(json_extract(attributes, '/v')
) WHEN 'VARCHAR' THEN contains((json_extract(attributes, '/v')
 ->> '$'), 'Gol') WHEN 'ARRAY' THEN list_contains(TRY_CAST(json_extract(attributes, '/v')
 AS VARCHAR[]), 'Gol') ELSE false END)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 72057594037927936 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (CASE json_type(json_extract(attributes, '/v')
) WHEN 'VARCHAR' THEN contains((json_extract(attributes, '/v')
 ->> '$'), 'SILVER') WHEN 'ARRAY' THEN list_contains(TRY_CAST(json_extract(attributes, '/v')
 AS VARCHAR[]), 'SILVER') ELSE false END)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 288230376151711744 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND starts_with((json_extract(attributes, '/v')
 ->> '$'), 'gol'))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 1152921504606846976 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/v')
) = 'VARCHAR' AND regexp_matches((json_extract(attributes, '/v')
 ->> '$'), '^G'))
    GROUP BY mpid
) WHERE b0 <> 0
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP VIEW _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1,
        (m0 & 4) <> 0 AS l2,
        (m0 & 8) <> 0 AS l3,
        (m0 & 16) <> 0 AS l4,
        (m0 & 32) <> 0 AS l5,
        (m0 & 64) <> 0 AS l6,
        (m0 & 128) <> 0 AS l7,
        (m0 & 256) <> 0 AS l8,
        (m0 & 512) <> 0 AS l9,
        (m0 & 1024) <> 0 AS l10,
        (m0 & 2048) <> 0 AS l11,
        (m0 & 4096) <> 0 AS l12,
        (m0 & 8192) <> 0 AS l13,
        (m0 & 16384) <> 0 AS l14,
        (m0 & 32768) <> 0 AS l15,
        (m0 & 65536) <> 0 AS l16,
        (m0 & 131072) <> 0 AS l17,
        (m0 & 262144) <> 0 AS l18,
        (m0 & 524288) <> 0 AS l19,
        (m0 & 1048576) <> 0 AS l20,
        (m0 & 2097152) <> 0 AS l21,
        (m0 & 4194304) <> 0 AS l22,
        (m0 & 8388608) <> 0 AS l23,
        (m0 & 16777216) <> 0 AS l24,
        (m0 & 33554432) <> 0 AS l25,
        (m0 & 67108864) <> 0 AS l26,
        (m0 & 134217728) <> 0 AS l27,
        (m0 & 268435456) <> 0 AS l28,
        (m0 & 536870912) <> 0 AS l29,
        (m0 & 1073741824) <> 0 AS l30,
        (m0 & 2147483648) <> 0 AS l31,
        (m0 & 4294967296) <> 0 AS l32,
        (m0 & 8589934592) <> 0 AS l33,
        (m0 & 17179869184) <> 0 AS l34,
        (m0 & 34359738368) <> 0 AS l35,
        (m0 & 68719476736) <> 0 AS l36,
        (m0 & 137438953472) <> 0 AS l37,
        (m0 & 274877906944) <> 0 AS l38,
        (m0 & 549755813888) <> 0 AS l39,
        (m0 & 1099511627776) <> 0 AS l40,
        (m0 & 2199023255552) <> 0 AS l41,
        (m0 & 4398046511104) <> 0 AS l42,
        (m0 & 8796093022208) <> 0 AS l43,
        (m0 & 17592186044416) <> 0 AS l44,
        (m0 & 35184372088832) <> 0 AS l45,
        (m0 & 70368744177664) <> 0 AS l46,
        (m0 & 140737488355328) <> 0 AS l47,
        (m0 & 281474976710656) <> 0 AS l48,
        (m0 & 562949953421312) <> 0 AS l49,
        (m0 & 1125899906842624) <> 0 AS l50,
        (m0 & 2251799813685248) <> 0 AS l51,
        (m0 & 4503599627370496) <> 0 AS l52,
        (m0 & 9007199254740992) <> 0 AS l53,
        (m0 & 18014398509481984) <> 0 AS l54,
        (m0 & 36028797018963968) <> 0 AS l55,
        (m0 & 72057594037927936) <> 0 AS l56,
        (m0 & 144115188075855872) <> 0 AS l57,
        (m0 & 288230376151711744) <> 0 AS l58,
        (m0 & 576460752303423488) <> 0 AS l59,
        (m0 & 1152921504606846976) <> 0 AS l60
    FROM _aud_leaves
)
-- audience attr_eq_num (pipeline.yaml:31:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience event_eq_num (pipeline.yaml:32:13)
SELECT 2 AS aud, mpid FROM leaves WHERE l2
UNION ALL
-- audience attr_eq_num_frac (pipeline.yaml:33:13)
SELECT 3 AS aud, mpid FROM leaves WHERE l3
UNION ALL
-- audience event_eq_num_frac (pipeline.yaml:34:13)
SELECT 4 AS aud, mpid FROM leaves WHERE l4
UNION ALL
-- audience attr_eq_text (pipeline.yaml:35:13)
SELECT 5 AS aud, mpid FROM leaves WHERE l5
UNION ALL
-- audience event_eq_text (pipeline.yaml:36:13)
SELECT 6 AS aud, mpid FROM leaves WHERE l6
UNION ALL
-- audience attr_eq_text_digits (pipeline.yaml:37:13)
SELECT 7 AS aud, mpid FROM leaves WHERE l7
UNION ALL
-- audience event_eq_text_digits (pipeline.yaml:38:13)
SELECT 8 AS aud, mpid FROM leaves WHERE l8
UNION ALL
-- audience attr_eq_bool (pipeline.yaml:39:13)
SELECT 9 AS aud, mpid FROM leaves WHERE l9
UNION ALL
-- audience event_eq_bool (pipeline.yaml:40:13)
SELECT 10 AS aud, mpid FROM leaves WHERE l10
UNION ALL
-- audience attr_ne_num (pipeline.yaml:41:13)
SELECT 11 AS aud, mpid FROM leaves WHERE l11
UNION ALL
-- audience event_ne_num (pipeline.yaml:42:13)
SELECT 12 AS aud, mpid FROM leaves WHERE l12
UNION ALL
-- audience attr_ne_text (pipeline.yaml:43:13)
SELECT 13 AS aud, mpid FROM leaves WHERE l13
UNION ALL
-- audience event_ne_text (pipeline.yaml:44:13)
SELECT 14 AS aud, mpid FROM leaves WHERE l14
UNION ALL
-- audience attr_ne_bool (pipeline.yaml:45:13)
SELECT 15 AS aud, mpid FROM leaves WHERE l15
UNION ALL
-- audience event_ne_bool (pipeline.yaml:46:13)
SELECT 16 AS aud, mpid FROM leaves WHERE l16
UNION ALL
-- audience attr_lt_num (pipeline.yaml:47:13)
SELECT 17 AS aud, mpid FROM leaves WHERE l17
UNION ALL
-- audience event_lt_num (pipeline.yaml:48:13)
SELECT 18 AS aud, mpid FROM leaves WHERE l18
UNION ALL
-- audience attr_lte_num (pipeline.yaml:49:13)
SELECT 19 AS aud, mpid FROM leaves WHERE l19
UNION ALL
-- audience event_lte_num (pipeline.yaml:50:13)
SELECT 20 AS aud, mpid FROM leaves WHERE l20
UNION ALL
-- audience attr_gt_num (pipeline.yaml:51:13)
SELECT 21 AS aud, mpid FROM leaves WHERE l21
UNION ALL
-- audience event_gt_num (pipeline.yaml:52:13)
SELECT 22 AS aud, mpid FROM leaves WHERE l22
UNION ALL
-- audience attr_gte_num (pipeline.yaml:53:13)
SELECT 23 AS aud, mpid FROM leaves WHERE l23
UNION ALL
-- audience event_gte_num (pipeline.yaml:54:13)
SELECT 24 AS aud, mpid FROM leaves WHERE l24
UNION ALL
-- audience attr_lt_text (pipeline.yaml:55:13)
SELECT 25 AS aud, mpid FROM leaves WHERE l25
UNION ALL
-- audience event_lt_text (pipeline.yaml:56:13)
SELECT 26 AS aud, mpid FROM leaves WHERE l26
UNION ALL
-- audience attr_lte_text (pipeline.yaml:57:13)
SELECT 27 AS aud, mpid FROM leaves WHERE l27
UNION ALL
-- audience event_lte_text (pipeline.yaml:58:13)
SELECT 28 AS aud, mpid FROM leaves WHERE l28
UNION ALL
-- audience attr_gt_text (pipeline.yaml:59:13)
SELECT 29 AS aud, mpid FROM leaves WHERE l29
UNION ALL
-- audience event_gt_text (pipeline.yaml:60:13)
SELECT 30 AS aud, mpid FROM leaves WHERE l30
UNION ALL
-- audience attr_gte_text (pipeline.yaml:61:13)
SELECT 31 AS aud, mpid FROM leaves WHERE l31
UNION ALL
-- audience event_gte_text (pipeline.yaml:62:13)
SELECT 32 AS aud, mpid FROM leaves WHERE l32
UNION ALL
-- audience attr_in_mixed (pipeline.yaml:63:13)
SELECT 33 AS aud, mpid FROM leaves WHERE l33
UNION ALL
-- audience event_in_mixed (pipeline.yaml:64:13)
SELECT 34 AS aud, mpid FROM leaves WHERE l34
UNION ALL
-- audience attr_contains_text (pipeline.yaml:65:13)
SELECT 35 AS aud, mpid FROM leaves WHERE l35
UNION ALL
-- audience event_contains_text (pipeline.yaml:66:13)
SELECT 36 AS aud, mpid FROM leaves WHERE l36
UNION ALL
-- audience attr_contains_list (pipeline.yaml:67:13)
SELECT 37 AS aud, mpid FROM leaves WHERE l37
UNION ALL
-- audience event_contains_list (pipeline.yaml:68:13)
SELECT 38 AS aud, mpid FROM leaves WHERE l38
UNION ALL
-- audience attr_starts_with (pipeline.yaml:69:13)
SELECT 39 AS aud, mpid FROM leaves WHERE l39
UNION ALL
-- audience event_starts_with (pipeline.yaml:70:13)
SELECT 40 AS aud, mpid FROM leaves WHERE l40
UNION ALL
-- audience attr_matches (pipeline.yaml:71:13)
SELECT 41 AS aud, mpid FROM leaves WHERE l41
UNION ALL
-- audience event_matches (pipeline.yaml:72:13)
SELECT 42 AS aud, mpid FROM leaves WHERE l42
UNION ALL
-- audience attr_exists (pipeline.yaml:73:13)
SELECT 43 AS aud, mpid FROM leaves WHERE l43
UNION ALL
-- audience event_exists (pipeline.yaml:74:13)
SELECT 44 AS aud, mpid FROM leaves WHERE l44
UNION ALL
-- audience attr_eq_text_upper (pipeline.yaml:75:13)
SELECT 45 AS aud, mpid FROM leaves WHERE l5
UNION ALL
-- audience event_eq_text_upper (pipeline.yaml:76:13)
SELECT 46 AS aud, mpid FROM leaves WHERE l6
UNION ALL
-- audience attr_eq_text_cs (pipeline.yaml:77:13)
SELECT 47 AS aud, mpid FROM leaves WHERE l45
UNION ALL
-- audience event_eq_text_cs (pipeline.yaml:78:13)
SELECT 48 AS aud, mpid FROM leaves WHERE l46
UNION ALL
-- audience attr_ne_text_cs (pipeline.yaml:79:13)
SELECT 49 AS aud, mpid FROM leaves WHERE l47
UNION ALL
-- audience event_ne_text_cs (pipeline.yaml:80:13)
SELECT 50 AS aud, mpid FROM leaves WHERE l48
UNION ALL
-- audience attr_lt_text_cs (pipeline.yaml:81:13)
SELECT 51 AS aud, mpid FROM leaves WHERE l49
UNION ALL
-- audience event_lt_text_cs (pipeline.yaml:82:13)
SELECT 52 AS aud, mpid FROM leaves WHERE l50
UNION ALL
-- audience attr_in_text_cs (pipeline.yaml:83:13)
SELECT 53 AS aud, mpid FROM leaves WHERE l51
UNION ALL
-- audience event_in_text_cs (pipeline.yaml:84:13)
SELECT 54 AS aud, mpid FROM leaves WHERE l52
UNION ALL
-- audience attr_contains_text_upper (pipeline.yaml:85:13)
SELECT 55 AS aud, mpid FROM leaves WHERE l35
UNION ALL
-- audience event_contains_text_upper (pipeline.yaml:86:13)
SELECT 56 AS aud, mpid FROM leaves WHERE l36
UNION ALL
-- audience attr_contains_text_cs (pipeline.yaml:87:13)
SELECT 57 AS aud, mpid FROM leaves WHERE l53
UNION ALL
-- audience event_contains_text_cs (pipeline.yaml:88:13)
SELECT 58 AS aud, mpid FROM leaves WHERE l54
UNION ALL
-- audience attr_contains_list_upper (pipeline.yaml:89:13)
SELECT 59 AS aud, mpid FROM leaves WHERE l37
UNION ALL
-- audience event_contains_list_upper (pipeline.yaml:90:13)
SELECT 60 AS aud, mpid FROM leaves WHERE l38
UNION ALL
-- audience attr_contains_list_cs (pipeline.yaml:91:13)
SELECT 61 AS aud, mpid FROM leaves WHERE l55
UNION ALL
-- audience event_contains_list_cs (pipeline.yaml:92:13)
SELECT 62 AS aud, mpid FROM leaves WHERE l56
UNION ALL
-- audience attr_starts_with_cs (pipeline.yaml:93:13)
SELECT 63 AS aud, mpid FROM leaves WHERE l57
UNION ALL
-- audience event_starts_with_cs (pipeline.yaml:94:13)
SELECT 64 AS aud, mpid FROM leaves WHERE l58
UNION ALL
-- audience attr_matches_cs (pipeline.yaml:95:13)
SELECT 65 AS aud, mpid FROM leaves WHERE l59
UNION ALL
-- audience event_matches_cs (pipeline.yaml:96:13)
SELECT 66 AS aud, mpid FROM leaves WHERE l60;
