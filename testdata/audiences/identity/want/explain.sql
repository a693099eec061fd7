-- How a run evaluates the audiences of pipeline identity: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: has_email has_customer_id has_idfa has_mobile
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT mpid, CASE WHEN identity_type = 'email' THEN 2 ELSE 0 END
        | CASE WHEN identity_type = 'customerid' THEN 4 ELSE 0 END
        | CASE WHEN identity_type = 'ios_idfa' THEN 8 ELSE 0 END
        | CASE WHEN identity_type = 'mobile_number' THEN 16 ELSE 0 END AS b0
FROM main.profile_identities
WHERE identity_type IN ('email', 'customerid', 'ios_idfa', 'mobile_number')
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP VIEW _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1,
        (m0 & 4) <> 0 AS l2,
        (m0 & 8) <> 0 AS l3,
        (m0 & 16) <> 0 AS l4
    FROM _aud_leaves
)
-- audience has_email (pipeline.yaml:28:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience has_customer_id (pipeline.yaml:29:13)
SELECT 2 AS aud, mpid FROM leaves WHERE l2
UNION ALL
-- audience has_idfa (pipeline.yaml:30:13)
SELECT 3 AS aud, mpid FROM leaves WHERE l3
UNION ALL
-- audience has_mobile (pipeline.yaml:31:13)
SELECT 4 AS aud, mpid FROM leaves WHERE l4;
