-- How a run evaluates the audiences of pipeline calculated: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: frequent big_spender
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN key = 'orders_30d' AND calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) >= 2) THEN 2 ELSE 0 END
        | CASE WHEN key = 'spend_90d' AND calculated AND (TRY_CAST((value ->> '$') AS DOUBLE) > 500) THEN 4 ELSE 0 END AS b0
    FROM main.profile_attributes
    WHERE key IN ('orders_30d', 'spend_90d')
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
-- audience frequent (pipeline.yaml:33:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience big_spender (pipeline.yaml:34:13)
SELECT 2 AS aud, mpid FROM leaves WHERE l2;
