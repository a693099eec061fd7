-- How profile $1 came to be, as JSON (mosaic profile --explain):
--   identities: each identity it holds, with the earliest of its rows (its
--     own or its aliases') that carries it: the row that added it;
--   merges: each profile merged into it, with the row and identity that
--     linked them (profile_merges);
--   refusals: each join the rules turned down between it and another
--     profile, with the first row that met it, how many rows of its run
--     did, the identity and the rule (profile_merge_refusals);
--   dropped: identities its rows carried that a rule kept out of it
--     (dropped_rows: unique_conflict, identity_limit).
-- A row is {run_id, feed, origin, row_pos, source_request_id, at, mpid}:
-- mpid is the profile the row resolved to then (itself or an alias).
WITH lineage AS (
    SELECT $1 AS mpid UNION ALL SELECT alias_mpid FROM _mosaic.aliases WHERE mpid = $1
),
rows AS (
    SELECT f.row_id, f.run_id, f.feed, f.feed_pos, f.row_pos, f.ts, rp.mpid,
           json_object('run_id', f.run_id, 'feed', f.feed, 'origin', f.origin, 'row_pos', f.row_pos,
                       'source_request_id', coalesce(f.request_id, CAST(f.request_uuid AS VARCHAR)), 'at', strftime(f.ts, '%Y-%m-%dT%H:%M:%SZ'), 'mpid', rp.mpid) AS ref
    FROM _mosaic.row_profiles rp JOIN _mosaic.feed_rows f USING (row_id)
    WHERE rp.mpid IN (SELECT mpid FROM lineage)
),
firsts AS (
    SELECT fi.identity_type, fi.identity_value, arg_min(r.ref, (r.ts, r.run_id, r.feed_pos, r.row_pos)) AS ref
    FROM _mosaic.feed_identities fi JOIN rows r USING (row_id)
    GROUP BY ALL
),
identities AS (
    SELECT i.identity_type, i.identity_value, i.first_seen_at, i.feed, f.ref
    FROM profile_identities i LEFT JOIN firsts f USING (identity_type, identity_value)
    WHERE i.mpid = $1
),
merges AS (
    SELECT a.alias_mpid AS merged_mpid, a.merged_at, a.run_id, d.identity_type, d.identity_value, r.ref
    FROM _mosaic.aliases a
    LEFT JOIN _mosaic.identity_dict d ON d.id = a.identity_id
    LEFT JOIN rows r ON r.row_id = a.row_id
    WHERE a.mpid = $1
),
refusals AS (
    SELECT x.*, x.now_mpid IS NOT DISTINCT FROM $1 AS row_here
    FROM (
        SELECT r.run_id, r.refused_at, d.identity_type, d.identity_value, r.rule, r.rule_type, r."rows",
               coalesce(am.mpid, r.mpid) AS now_mpid, coalesce(ao.mpid, r.other_mpid) AS now_other,
               json_object('run_id', r.run_id, 'feed', f.feed, 'origin', f.origin, 'row_pos', f.row_pos,
                           'source_request_id', coalesce(f.request_id, CAST(f.request_uuid AS VARCHAR)), 'at', strftime(f.ts, '%Y-%m-%dT%H:%M:%SZ'), 'mpid', r.mpid) AS ref
        FROM _mosaic.merge_refusals r
        LEFT JOIN _mosaic.aliases am ON am.alias_mpid = r.mpid
        LEFT JOIN _mosaic.aliases ao ON ao.alias_mpid = r.other_mpid
        LEFT JOIN _mosaic.identity_dict d ON d.id = r.identity_id
        LEFT JOIN _mosaic.feed_rows f ON f.row_id = r.row_id
    ) x
    WHERE x.now_mpid = $1 OR x.now_other = $1
),
dropped AS (
    SELECT d.reason, (d."row"->>'identity_type') AS identity_type, (d."row"->>'identity_value') AS identity_value, r.ref
    FROM _mosaic.dropped_rows d
    JOIN rows r ON r.run_id = d.run_id AND r.feed = d.feed AND r.row_pos = TRY_CAST((d."row"->>'row_pos') AS BIGINT)
    JOIN _mosaic.feed_rows f ON f.row_id = r.row_id AND f.origin IS NOT DISTINCT FROM (d."row"->>'origin')
    WHERE d.reason IN ('unique_conflict', 'identity_limit') AND (d."row"->>'identity_type') IS NOT NULL
)
SELECT CAST(json_object(
    'mpid', $1,
    'identities', coalesce((SELECT to_json(list(json_object('type', identity_type, 'value', identity_value,
        'first_seen_at', strftime(first_seen_at, '%Y-%m-%dT%H:%M:%SZ'), 'feed', feed, 'row', ref) ORDER BY identity_type, identity_value)) FROM identities), '[]'),
    'merges', coalesce((SELECT to_json(list(json_object('mpid', merged_mpid, 'merged_at', strftime(merged_at, '%Y-%m-%dT%H:%M:%SZ'), 'run_id', run_id,
        'identity_type', identity_type, 'identity_value', identity_value, 'row', ref) ORDER BY merged_at, merged_mpid)) FROM merges), '[]'),
    'refusals', coalesce((SELECT to_json(list(json_object('mpid', CASE WHEN row_here THEN now_other ELSE now_mpid END, 'refused_at', strftime(refused_at, '%Y-%m-%dT%H:%M:%SZ'), 'run_id', run_id,
        'row_here', row_here, 'rows', "rows", 'identity_type', identity_type, 'identity_value', identity_value, 'rule', rule, 'rule_type', rule_type, 'row', ref)
        ORDER BY refused_at, now_mpid, now_other)) FROM refusals), '[]'),
    'dropped', coalesce((SELECT to_json(list(json_object('type', identity_type, 'value', identity_value, 'reason', reason, 'row', ref)
        ORDER BY identity_type, identity_value)) FROM dropped), '[]')
) AS VARCHAR);
