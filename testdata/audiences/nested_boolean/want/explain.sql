-- How a run evaluates the audiences of pipeline nested_boolean: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: lapsed_vip nested only_negations double_negation
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'gold') THEN 2 ELSE 0 END
        | CASE WHEN key = 'city' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'paris') THEN 16 ELSE 0 END
        | CASE WHEN key = 'ltv' AND NOT calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) >= 100) THEN 32 ELSE 0 END
        | CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) <> 'NULL') THEN 128 ELSE 0 END AS b0
    FROM main.profile_attributes
    WHERE key IN ('tier', 'city', 'ltv')
) WHERE b0 <> 0
UNION ALL
SELECT mpid, CASE WHEN identity_type = 'email' THEN 8 ELSE 0 END AS b0
FROM main.profile_identities
WHERE identity_type IN ('email')
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) FILTER (WHERE occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY AND occurred_at <= $now::TIMESTAMPTZ) >= 1 THEN 4 ELSE 0 END
        | CASE WHEN count(*) FILTER (WHERE occurred_at <= $now::TIMESTAMPTZ) >= 1 THEN 256 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= greatest($now::TIMESTAMPTZ, $now::TIMESTAMPTZ)
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 64 ELSE 0 END AS b0
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
        (m0 & 256) <> 0 AS l8
    FROM _aud_leaves
)
-- audience lapsed_vip (pipeline.yaml:27:11)
SELECT 1 AS aud, mpid FROM leaves WHERE (l1 AND NOT l2)
UNION ALL
-- audience nested (pipeline.yaml:32:11)
SELECT 2 AS aud, mpid FROM leaves WHERE ((l1 AND NOT l2) OR (l3 AND NOT l4) OR NOT (l5 OR l6))
UNION ALL
-- audience only_negations (pipeline.yaml:45:11)
SELECT 3 AS aud, mpid FROM leaves WHERE (NOT l7 AND NOT l8)
UNION ALL
-- audience double_negation (pipeline.yaml:50:11)
SELECT 4 AS aud, mpid FROM leaves WHERE NOT NOT l2;
