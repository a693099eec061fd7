-- Run $1's dropped rows that name a blocked identity or MPID keep their
-- reason and where the row was (its file and line, or origin and
-- position), marked forgotten_identity, and nothing else: staging drops
-- a row before blocked_rows.sql sees it (a bad timestamp, a batch kept as
-- its raw line, a CSV row kept as its columns). A row names one as forget
-- itself finds it (spelled.sql): a value it spells as an identity or holds
-- whole as a text (forgetNamed; $3 the fields that hold an identity), or
-- an MPID (forgetMPIDs; $4 the fields that hold one). A blocked identity
-- is only a salted hash of type:value (block.sql), so values are hashed,
-- each once for the run (a run's rows repeat most of theirs), with each
-- type blocked (block_types.sql; a store that blocked before it kept them:
-- every identity type, $2), an e-mail lower-cased too, and a whole number
-- as mpid:N too. The rules' macros cost more than the hashing, so what is
-- hashed first is each row's tokens (forgetTokens), as they are and
-- trimmed, none longer than an identity can be (1 KiB): only a row that
-- holds a blocked token is read by the rules, and it names a blocked value
-- where a value it names is one a token stood for. On 100,000 synthetic
-- dropped rows (BenchmarkRedactBlocked) with two types blocked this takes
-- 2.5 s of CPU, where the rules on every row took 3.4-5.6 s (every type:
-- 13-14 s, against 12-13 s: the hashing is most of it).
UPDATE _mosaic.dropped_rows
SET "row" = json_merge_patch(
    coalesce((SELECT json_group_object(k, json_extract(dropped_rows."row", '$."' || k || '"'))
              FROM (SELECT unnest(json_keys(dropped_rows."row")) AS k)
              WHERE k IN ('file', 'line', 'origin', 'row_pos', '_origin', '_row_pos')), '{}'),
    '{"forgotten_identity": true}')
WHERE run_id = $1 AND rowid IN (
    WITH tokens AS MATERIALIZED (
        SELECT rowid AS id, unnest(forgetTokens("row", list_concat($3::VARCHAR[], $4::VARCHAR[]))) AS v
        FROM _mosaic.dropped_rows WHERE run_id = $1
    ),
    -- Each token and the values it may stand for: itself, and trimmed.
    candidates AS MATERIALIZED (
        SELECT v, unnest(CASE WHEN forgetTrim(v) <> v THEN [v, forgetTrim(v)] ELSE [v] END) AS value
        FROM (SELECT DISTINCT v FROM tokens WHERE strlen(v) <= 1024)
    ),
    salt AS (SELECT value AS salt FROM _mosaic.meta WHERE key = 'identity_salt'),
    types AS (
        SELECT unnest(coalesce((SELECT string_split(value, ',') FROM _mosaic.meta WHERE key = 'blocked_identity_types'), $2::VARCHAR[])) AS t
    ),
    blocked AS MATERIALIZED (
        SELECT v, value, NULL::BIGINT AS mpid FROM candidates, salt, types
        WHERE sha256(salt.salt || types.t || ':' || value) IN (SELECT hash FROM _mosaic.blocked_identities)
        UNION
        SELECT v, value, NULL FROM candidates, salt
        WHERE EXISTS (SELECT 1 FROM types WHERE t = 'email') AND lower(value) <> value
          AND sha256(salt.salt || 'email:' || lower(value)) IN (SELECT hash FROM _mosaic.blocked_identities)
        UNION
        SELECT v, NULL, forgetInt(value) FROM candidates, salt
        WHERE forgetInt(value) IS NOT NULL
          AND sha256(salt.salt || 'mpid:' || CAST(forgetInt(value) AS VARCHAR)) IN (SELECT hash FROM _mosaic.blocked_identities)
    ),
    named AS MATERIALIZED (
        SELECT rowid AS id, "row" FROM _mosaic.dropped_rows
        WHERE run_id = $1 AND rowid IN (SELECT id FROM tokens SEMI JOIN blocked USING (v))
    )
    SELECT id FROM (SELECT id, unnest(forgetNamed("row", $3::VARCHAR[])) AS value FROM named)
    SEMI JOIN (SELECT value FROM blocked WHERE value IS NOT NULL) USING (value)
    UNION
    SELECT id FROM (SELECT id, unnest(forgetMPIDs("row", $4::VARCHAR[])) AS mpid FROM named)
    SEMI JOIN (SELECT mpid FROM blocked WHERE mpid IS NOT NULL) USING (mpid)
);
