-- How a run evaluates the audiences of pipeline attribute: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: tier_eq_gold tier_ne_gold tier_eq_gold_cs tier_ne_gold_cs ltv_eq_50_5 ltv_gt_1000 ltv_gte_950 ltv_lt_300 ltv_lte_300 city_lt_m tier_in ltv_in vip_eq_true vip_ne_true tags_contains_golf city_contains_ari city_starts_with city_matches tier_exists note_exists quote_in_value
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'gold') THEN 2 ELSE 0 END
        | CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'gold', false)) THEN 4 ELSE 0 END
        | CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold') THEN 8 ELSE 0 END
        | CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold', false)) THEN 16 ELSE 0 END
        | CASE WHEN key = 'ltv' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) = 50.5) THEN 32 ELSE 0 END
        | CASE WHEN key = 'ltv' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) > 1000) THEN 64 ELSE 0 END
        | CASE WHEN key = 'ltv' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) >= 950) THEN 128 ELSE 0 END
        | CASE WHEN key = 'ltv' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) < 300) THEN 256 ELSE 0 END
        | CASE WHEN key = 'ltv' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) <= 300) THEN 512 ELSE 0 END
        | CASE WHEN key = 'city' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') < 'm') THEN 1024 ELSE 0 END
        | CASE WHEN key = 'tier' AND NOT calculated AND ((json_type(value) = 'VARCHAR' AND lower(value ->> '$') IN ('gold', 'silver'))) THEN 2048 ELSE 0 END
        | CASE WHEN key = 'ltv' AND NOT calculated AND ((json_type(value) = 'VARCHAR' AND lower(value ->> '$') IN ('950') OR TRY_CAST((value ->> '$') AS DOUBLE) IN (300, 5000))) THEN 4096 ELSE 0 END
        | CASE WHEN key = 'vip' AND NOT calculated AND (json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true') THEN 8192 ELSE 0 END
        | CASE WHEN key = 'vip' AND NOT calculated AND (json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true', false)) THEN 16384 ELSE 0 END
        | CASE WHEN key = 'tags' AND NOT calculated AND (CASE json_type(value) WHEN 'VARCHAR' THEN contains(lower(value ->> '$'), 'golf') WHEN 'ARRAY' THEN list_contains(list_transform(TRY_CAST(value AS VARCHAR[]), lambda x: lower(x)), 'golf') ELSE false END) THEN 32768 ELSE 0 END
        | CASE WHEN key = 'city' AND NOT calculated AND (CASE json_type(value) WHEN 'VARCHAR' THEN contains(lower(value ->> '$'), 'ari') WHEN 'ARRAY' THEN list_contains(list_transform(TRY_CAST(value AS VARCHAR[]), lambda x: lower(x)), 'ari') ELSE false END) THEN 65536 ELSE 0 END
        | CASE WHEN key = 'city' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND starts_with(lower(value ->> '$'), 'paris')) THEN 131072 ELSE 0 END
        | CASE WHEN key = 'city' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND regexp_matches((value ->> '$'), '^(Paris|Lyon)$', 'i')) THEN 262144 ELSE 0 END
        | CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) <> 'NULL') THEN 524288 ELSE 0 END
        | CASE WHEN key = 'note' AND NOT calculated AND (json_type(value) <> 'NULL') THEN 1048576 ELSE 0 END
        | CASE WHEN key = 'it''s' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'a ''quoted''
value') THEN 2097152 ELSE 0 END AS b0
    FROM main.profile_attributes
    WHERE key IN ('tier', 'ltv', 'city', 'vip', 'tags', 'note', 'it''s')
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
        (m0 & 2097152) <> 0 AS l21
    FROM _aud_leaves
)
-- audience tier_eq_gold (pipeline.yaml:29:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience tier_ne_gold (pipeline.yaml:30:13)
SELECT 2 AS aud, mpid FROM leaves WHERE l2
UNION ALL
-- audience tier_eq_gold_cs (pipeline.yaml:31:13)
SELECT 3 AS aud, mpid FROM leaves WHERE l3
UNION ALL
-- audience tier_ne_gold_cs (pipeline.yaml:32:13)
SELECT 4 AS aud, mpid FROM leaves WHERE l4
UNION ALL
-- audience ltv_eq_50_5 (pipeline.yaml:33:13)
SELECT 5 AS aud, mpid FROM leaves WHERE l5
UNION ALL
-- audience ltv_gt_1000 (pipeline.yaml:34:13)
SELECT 6 AS aud, mpid FROM leaves WHERE l6
UNION ALL
-- audience ltv_gte_950 (pipeline.yaml:35:13)
SELECT 7 AS aud, mpid FROM leaves WHERE l7
UNION ALL
-- audience ltv_lt_300 (pipeline.yaml:36:13)
SELECT 8 AS aud, mpid FROM leaves WHERE l8
UNION ALL
-- audience ltv_lte_300 (pipeline.yaml:37:13)
SELECT 9 AS aud, mpid FROM leaves WHERE l9
UNION ALL
-- audience city_lt_m (pipeline.yaml:38:13)
SELECT 10 AS aud, mpid FROM leaves WHERE l10
UNION ALL
-- audience tier_in (pipeline.yaml:39:13)
SELECT 11 AS aud, mpid FROM leaves WHERE l11
UNION ALL
-- audience ltv_in (pipeline.yaml:40:13)
SELECT 12 AS aud, mpid FROM leaves WHERE l12
UNION ALL
-- audience vip_eq_true (pipeline.yaml:41:13)
SELECT 13 AS aud, mpid FROM leaves WHERE l13
UNION ALL
-- audience vip_ne_true (pipeline.yaml:42:13)
SELECT 14 AS aud, mpid FROM leaves WHERE l14
UNION ALL
-- audience tags_contains_golf (pipeline.yaml:43:13)
SELECT 15 AS aud, mpid FROM leaves WHERE l15
UNION ALL
-- audience city_contains_ari (pipeline.yaml:44:13)
SELECT 16 AS aud, mpid FROM leaves WHERE l16
UNION ALL
-- audience city_starts_with (pipeline.yaml:45:13)
SELECT 17 AS aud, mpid FROM leaves WHERE l17
UNION ALL
-- audience city_matches (pipeline.yaml:46:13)
SELECT 18 AS aud, mpid FROM leaves WHERE l18
UNION ALL
-- audience tier_exists (pipeline.yaml:47:13)
SELECT 19 AS aud, mpid FROM leaves WHERE l19
UNION ALL
-- audience note_exists (pipeline.yaml:48:13)
SELECT 20 AS aud, mpid FROM leaves WHERE l20
UNION ALL
-- audience quote_in_value (pipeline.yaml:49:13)
SELECT 21 AS aud, mpid FROM leaves WHERE l21;
