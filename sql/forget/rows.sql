-- What the erase covers besides the profiles scope.sql gathered, for
-- keys.sql (what outputs keep of the rows) and erase.sql.
-- name: values
-- When no profile holds the identity the request names ($1 its type, $2
-- its value; both NULL otherwise), it stands for theirs: the rows carrying
-- it, the dropped rows and stats naming it go, and a block blocks it.
CREATE OR REPLACE TEMP TABLE _forget_ids AS
SELECT i.identity_id, d.identity_type, d.identity_value
FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id
WHERE i.mpid IN (SELECT mpid FROM _forget_mpids)
UNION ALL
SELECT CAST(NULL AS BIGINT), CAST($1 AS VARCHAR), CAST($2 AS VARCHAR) WHERE $1 IS NOT NULL;
-- name: rows
-- The rows that resolved to the profiles, and rows that resolved to no
-- profile (only_read rows, rows dropped) but carry one of their identities.
-- The rows carrying one are found first, and only theirs looked up among
-- the resolved: an anti join with every row profile hashed the 10M of a
-- 1M-user store (2.0-2.6 s against 0.95-1.07 s, on a busy machine).
CREATE OR REPLACE TEMP TABLE _forget_rows AS
WITH carrying AS MATERIALIZED (
    SELECT row_id FROM _mosaic.feed_identities
    WHERE (identity_type, identity_value) IN (SELECT identity_type, identity_value FROM _forget_ids)
)
SELECT row_id FROM _mosaic.row_profiles WHERE mpid IN (SELECT mpid FROM _forget_mpids)
UNION
SELECT row_id FROM carrying
WHERE row_id NOT IN (SELECT row_id FROM _mosaic.row_profiles WHERE row_id IN (SELECT row_id FROM carrying));
-- name: carried
-- The profiles' identity values, and those the rows carry that no other
-- profile holds: the rows also bring values the profiles never took
-- (refused by identity.limits or unique, or on an only_read row), which
-- the dictionary and dropped rows keep as well. One another profile holds
-- is taken to be its person's (a join the rules refused), and stays; so
-- does one identity.max_shared kept from linking (a shared_identity
-- dropped row names it) that rows of other profiles carry too: many
-- people's, not his (shared.sql takes his rows out of its diagnostics).
-- Rows that resolved to no profile do not count: max_shared counts rows,
-- and his own rows that carry only the shared value resolve to none. The block
-- (block.sql) stays with the values held.
CREATE OR REPLACE TEMP TABLE _forget_values AS
WITH carried AS (
    SELECT DISTINCT identity_type, identity_value FROM _mosaic.feed_identities
    WHERE row_id IN (SELECT row_id FROM _forget_rows)
),
shared AS (
    SELECT c.identity_type, c.identity_value FROM carried c
    SEMI JOIN (SELECT "row"->>'identity_type' AS identity_type, "row"->>'identity_value' AS identity_value
               FROM _mosaic.dropped_rows WHERE reason = 'shared_identity') s USING (identity_type, identity_value)
),
elsewhere AS (
    SELECT DISTINCT c.identity_type, c.identity_value
    FROM carried c JOIN _mosaic.identity_dict d USING (identity_type, identity_value)
    JOIN _mosaic.identities i ON i.identity_id = d.id
    WHERE i.mpid NOT IN (SELECT mpid FROM _forget_mpids)
    UNION
    SELECT DISTINCT fi.identity_type, fi.identity_value
    FROM _mosaic.feed_identities fi SEMI JOIN shared USING (identity_type, identity_value)
    JOIN _mosaic.row_profiles rp ON rp.row_id = fi.row_id
    WHERE fi.row_id NOT IN (SELECT row_id FROM _forget_rows) AND rp.mpid NOT IN (SELECT mpid FROM _forget_mpids)
)
SELECT identity_type, identity_value FROM _forget_ids
UNION
SELECT identity_type, identity_value FROM carried ANTI JOIN elsewhere USING (identity_type, identity_value);
