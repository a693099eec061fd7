-- How a run evaluates the audiences of pipeline event: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: purchased_30d purchased_3_times purchased_under_2 never_purchased purchased_1_to_2 purchased_in_april purchased_60_to_20d last_purchase_7d bought_socks big_purchase over_20_twice_30d opened_app
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) FILTER (WHERE occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY AND occurred_at <= $now::TIMESTAMPTZ) >= 1 THEN 2 ELSE 0 END
        | CASE WHEN count(*) FILTER (WHERE occurred_at <= $now::TIMESTAMPTZ) >= 3 THEN 4 ELSE 0 END
        | CASE WHEN NOT (count(*) FILTER (WHERE occurred_at <= $now::TIMESTAMPTZ) < 2) THEN 8 ELSE 0 END
        | CASE WHEN NOT (count(*) FILTER (WHERE occurred_at <= $now::TIMESTAMPTZ) = 0) THEN 16 ELSE 0 END
        | CASE WHEN count(*) FILTER (WHERE occurred_at <= $now::TIMESTAMPTZ) >= 1 AND count(*) FILTER (WHERE occurred_at <= $now::TIMESTAMPTZ) <= 2 THEN 32 ELSE 0 END
        | CASE WHEN count(*) FILTER (WHERE occurred_at >= TIMESTAMPTZ '2026-04-01 00:00:00Z' AND occurred_at < TIMESTAMPTZ '2026-05-01 00:00:00Z') >= 1 THEN 64 ELSE 0 END
        | CASE WHEN count(*) FILTER (WHERE occurred_at >= $now::TIMESTAMPTZ - INTERVAL 60 DAY AND occurred_at < $now::TIMESTAMPTZ - INTERVAL 20 DAY) >= 1 THEN 128 ELSE 0 END
        | CASE WHEN max(occurred_at) FILTER (WHERE occurred_at <= $now::TIMESTAMPTZ) >= $now::TIMESTAMPTZ - INTERVAL 7 DAY THEN 256 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= greatest($now::TIMESTAMPTZ, $now::TIMESTAMPTZ, TIMESTAMPTZ '2026-05-01 00:00:00Z', $now::TIMESTAMPTZ - INTERVAL 20 DAY)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 512 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ AND (json_type(json_extract(attributes, '/category')
) = 'VARCHAR' AND lower(json_extract(attributes, '/category')
 ->> '$') = 'socks')
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 1024 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/amount')
 ->> '$') AS DOUBLE) >= 100)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 2 THEN 2048 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY AND occurred_at <= $now::TIMESTAMPTZ AND (TRY_CAST((json_extract(attributes, '/amount')
 ->> '$') AS DOUBLE) > 12) AND (json_type(json_extract(attributes, '/category')
) = 'VARCHAR' AND regexp_matches((json_extract(attributes, '/category')
 ->> '$'), '(?i)^socks$', 'i'))
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4096 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'app_open'
      AND occurred_at <= $now::TIMESTAMPTZ
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
        (m0 & 4096) <> 0 AS l12
    FROM _aud_leaves
)
-- audience purchased_30d (pipeline.yaml:29:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience purchased_3_times (pipeline.yaml:30:13)
SELECT 2 AS aud, mpid FROM leaves WHERE l2
UNION ALL
-- audience purchased_under_2 (pipeline.yaml:31:13)
SELECT 3 AS aud, mpid FROM leaves WHERE NOT l3
UNION ALL
-- audience never_purchased (pipeline.yaml:32:13)
SELECT 4 AS aud, mpid FROM leaves WHERE NOT l4
UNION ALL
-- audience purchased_1_to_2 (pipeline.yaml:33:13)
SELECT 5 AS aud, mpid FROM leaves WHERE l5
UNION ALL
-- audience purchased_in_april (pipeline.yaml:34:13)
SELECT 6 AS aud, mpid FROM leaves WHERE l6
UNION ALL
-- audience purchased_60_to_20d (pipeline.yaml:35:13)
SELECT 7 AS aud, mpid FROM leaves WHERE l7
UNION ALL
-- audience last_purchase_7d (pipeline.yaml:36:13)
SELECT 8 AS aud, mpid FROM leaves WHERE l8
UNION ALL
-- audience bought_socks (pipeline.yaml:37:13)
SELECT 9 AS aud, mpid FROM leaves WHERE l9
UNION ALL
-- audience big_purchase (pipeline.yaml:38:13)
SELECT 10 AS aud, mpid FROM leaves WHERE l10
UNION ALL
-- audience over_20_twice_30d (pipeline.yaml:39:11)
SELECT 11 AS aud, mpid FROM leaves WHERE l11
UNION ALL
-- audience opened_app (pipeline.yaml:46:13)
SELECT 12 AS aud, mpid FROM leaves WHERE l12;
