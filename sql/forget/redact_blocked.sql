-- Run $1's dropped rows that name a blocked identity or MPID keep their
-- reason and where the row was (its file and line, or origin and
-- position), marked forgotten_identity, and nothing else: staging drops
-- a row before blocked_rows.sql sees it (a bad timestamp, a batch kept as
-- its raw line, a CSV row kept as its columns). A blocked identity is
-- only a salted hash of type:value (block.sql), so every value a row
-- spells as an identity (forgetSpelled, spelled.sql, as forget itself
-- finds them; $3 the fields that hold one) is hashed with each type
-- blocked (block_types.sql; a store that blocked before it kept them:
-- every identity type, $2) and, as an e-mail, lower-cased; every MPID it
-- names (forgetMPIDs; $4 the fields that hold one) as mpid:N. Each value
-- is hashed once for the run (a run's rows repeat most of theirs):
-- 20,000 dropped raw batch lines take 0.7 s with two types blocked, 3 s
-- with every type.
UPDATE _mosaic.dropped_rows
SET "row" = json_merge_patch(
    coalesce((SELECT json_group_object(k, json_extract(dropped_rows."row", '$."' || k || '"'))
              FROM (SELECT unnest(json_keys(dropped_rows."row")) AS k)
              WHERE k IN ('file', 'line', 'origin', 'row_pos', '_origin', '_row_pos')), '{}'),
    '{"forgotten_identity": true}')
WHERE run_id = $1 AND rowid IN (
    WITH spelled AS MATERIALIZED (
        SELECT rowid AS id, unnest(forgetSpelled("row", $3::VARCHAR[])) AS v FROM _mosaic.dropped_rows WHERE run_id = $1
    ),
    salt AS (SELECT value AS salt FROM _mosaic.meta WHERE key = 'identity_salt'),
    blocked AS (
        SELECT v FROM (SELECT DISTINCT v FROM spelled) d, salt,
            (SELECT unnest(coalesce((SELECT string_split(value, ',') FROM _mosaic.meta WHERE key = 'blocked_identity_types'), $2::VARCHAR[])) AS t) types
        WHERE sha256(salt.salt || types.t || ':' || d.v) IN (SELECT hash FROM _mosaic.blocked_identities)
        UNION
        SELECT v FROM (SELECT DISTINCT v FROM spelled) d, salt
        WHERE sha256(salt.salt || 'email:' || lower(d.v)) IN (SELECT hash FROM _mosaic.blocked_identities)
    ),
    mpids AS MATERIALIZED (
        SELECT rowid AS id, unnest(forgetMPIDs("row", $4::VARCHAR[])) AS m FROM _mosaic.dropped_rows WHERE run_id = $1
    ),
    blocked_mpids AS (
        SELECT m FROM (SELECT DISTINCT m FROM mpids) d, salt
        WHERE sha256(salt.salt || 'mpid:' || CAST(d.m AS VARCHAR)) IN (SELECT hash FROM _mosaic.blocked_identities)
    )
    SELECT DISTINCT id FROM spelled SEMI JOIN blocked USING (v)
    UNION
    SELECT id FROM mpids SEMI JOIN blocked_mpids USING (m)
);
