-- How a run evaluates the audiences of pipeline sql: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. A reference to another audience is that audience's condition,
-- unless it has a sql: leaf (or refers to one that has): then it reads the
-- members recorded on an earlier level. $now is the run's clock. On a
-- level's first evaluation (none of its audiences has members yet), the two
-- run as one statement that records every member as entering.

-- level 0: x_com_emails gold_sql_and_buyer
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 8 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT mpid, 2 AS b0 FROM (
SELECT coalesce(al.mpid, TRY_CAST(q.mpid AS BIGINT)) AS mpid
FROM (
SELECT mpid FROM profile_identities
WHERE identity_type = 'email' AND identity_value LIKE '%@x.com' -- a comment
) AS q
LEFT JOIN main.profile_aliases al ON al.alias_mpid = TRY_CAST(q.mpid AS BIGINT)
)
UNION ALL
SELECT mpid, 4 AS b0 FROM (
SELECT coalesce(al.mpid, TRY_CAST(q.mpid AS BIGINT)) AS mpid
FROM (
SELECT mpid FROM profile_attributes WHERE key = 'tier' AND (value ->> '$') = 'gold'
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
-- audience x_com_emails (pipeline.yaml:27:11)
SELECT 1 AS aud, mpid FROM leaves WHERE l1
UNION ALL
-- audience gold_sql_and_buyer (pipeline.yaml:32:11)
SELECT 2 AS aud, mpid FROM leaves WHERE (l2 AND l3);
