-- How a run evaluates the audiences of pipeline window_exit: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: recent_buyer active_app
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 2 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'app_open'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 7 DAY AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
) WHERE b0 <> 0
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP VIEW _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1,
        (m0 & 4) <> 0 AS l2
    FROM _aud_leaves
)
-- audience recent_buyer (pipeline.yaml:28:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience active_app (pipeline.yaml:29:13)
SELECT 2 AS aud, mpid FROM leaves WHERE l2;
