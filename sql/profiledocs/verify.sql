-- name: keep
-- Verify: the documents and keys as the runs kept them, before a full
-- rebuild in the same (rolled back) transaction writes them afresh.
CREATE OR REPLACE TEMP TABLE _docs_kept AS SELECT mpid, doc FROM _mosaic.profile_docs;

-- name: keep_keys
CREATE OR REPLACE TEMP TABLE _keys_kept AS SELECT key, mpid FROM _mosaic.profile_keys;

-- name: differ
-- What differs between the kept and the rebuilt: how many, and a few.
WITH d AS (
    SELECT 'doc ' || coalesce(k.mpid, f.mpid) || ': kept ' || coalesce(k.doc, '(none)') || ', afresh ' || coalesce(f.doc, '(none)') AS what
    FROM _docs_kept k FULL OUTER JOIN _mosaic.profile_docs f ON f.mpid = k.mpid
    WHERE k.doc IS DISTINCT FROM f.doc
    UNION ALL
    SELECT 'key ' || coalesce(k.key, f.key) || ': kept ' || coalesce(CAST(k.mpid AS VARCHAR), '(none)') || ', afresh ' || coalesce(CAST(f.mpid AS VARCHAR), '(none)')
    FROM _keys_kept k FULL OUTER JOIN _mosaic.profile_keys f ON f.key = k.key
    WHERE k.mpid IS DISTINCT FROM f.mpid
)
SELECT count(*), coalesce(string_agg(what, '; ') FILTER (WHERE what IN (SELECT what FROM d ORDER BY what LIMIT 3)), '') FROM d;
