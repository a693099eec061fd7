-- How a run evaluates the audiences of pipeline removed: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: gold
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND lower(value ->> '$') = 'gold') THEN 2 ELSE 0 END AS b0
    FROM main.profile_attributes
    WHERE key IN ('tier')
) WHERE b0 <> 0
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP VIEW _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1
    FROM _aud_leaves
)
-- audience gold (pipeline.yaml:10:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1;
