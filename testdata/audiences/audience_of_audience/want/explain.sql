-- How a run evaluates the audiences of pipeline audience_of_audience: one dependency
-- level at a time (an audience after those it refers to), each level in two
-- statements. The first gives every current profile one boolean column per
-- distinct leaf of the level's criteria, reading each table once for all its
-- leaves; the second selects each audience's members by a condition on those
-- columns. $now is the run's clock.

-- level 0: gold
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT mpid, CASE WHEN key = 'tier' AND NOT calculated AND (json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold') THEN 2 ELSE 0 END AS b0
FROM main.profile_attributes
WHERE key IN ('tier')
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP TABLE _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1
    FROM _aud_leaves
)
-- audience gold (pipeline.yaml:32:13)
SELECT 1 AS aud, mpid FROM leaves WHERE l1;

-- level 1: gold_buyers not_gold
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT * FROM (
    SELECT mpid, CASE WHEN count(*) >= 1 THEN 4 ELSE 0 END AS b0
    FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
) WHERE b0 <> 0
UNION ALL
SELECT mpid, 2 AS b0 FROM (
SELECT mpid FROM main.audience_members WHERE audience = 'gold'
)
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP TABLE _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1,
        (m0 & 4) <> 0 AS l2
    FROM _aud_leaves
)
-- audience gold_buyers (pipeline.yaml:28:11)
SELECT 1 AS aud, mpid FROM leaves WHERE (l1 AND l2)
UNION ALL
-- audience not_gold (pipeline.yaml:31:13)
SELECT 2 AS aud, mpid FROM leaves WHERE NOT l1;

-- level 2: gold_buyers_emails
CREATE OR REPLACE TEMP TABLE _aud_leaves AS
SELECT mpid, bit_or(b0) AS m0
FROM (
SELECT mpid, 1 AS b0 FROM main.profiles
UNION ALL
SELECT mpid, CASE WHEN identity_type = 'email' THEN 4 ELSE 0 END AS b0
FROM main.profile_identities
WHERE identity_type IN ('email')
UNION ALL
SELECT mpid, 2 AS b0 FROM (
SELECT mpid FROM main.audience_members WHERE audience = 'gold_buyers'
)
)
GROUP BY mpid
HAVING bit_or(b0) & 1 = 1;

CREATE OR REPLACE TEMP TABLE _aud_members AS
WITH leaves AS NOT MATERIALIZED (
    SELECT mpid,
        (m0 & 2) <> 0 AS l1,
        (m0 & 4) <> 0 AS l2
    FROM _aud_leaves
)
-- audience gold_buyers_emails (pipeline.yaml:33:13)
SELECT 1 AS aud, mpid FROM leaves WHERE (l1 AND l2);
