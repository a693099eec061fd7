-- How a run evaluates the audiences of pipeline merge: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: gold aliased everyone
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
UNION ALL
SELECT mpid, CASE WHEN identity_type = 'mobile_number' THEN 8 ELSE 0 END AS b0
FROM main.profile_identities
WHERE identity_type IN ('mobile_number')
UNION ALL
SELECT mpid, 4 AS b0 FROM (
SELECT coalesce(al.mpid, TRY_CAST(q.mpid AS BIGINT)) AS mpid
FROM (
SELECT alias_mpid AS mpid FROM profile_aliases
) AS q
LEFT JOIN main.profile_aliases al ON al.alias_mpid = TRY_CAST(q.mpid AS BIGINT)
)
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP VIEW _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1,
        (m0 & 4) <> 0 AS l2,
        (m0 & 8) <> 0 AS l3
    FROM _aud_leaves
)
-- audience gold (pipeline.yaml:18:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience aliased (pipeline.yaml:19:13)
SELECT 2 AS aud, mpid FROM leaves WHERE l2
UNION ALL
-- audience everyone (pipeline.yaml:20:13)
SELECT 3 AS aud, mpid FROM leaves WHERE NOT l3;
