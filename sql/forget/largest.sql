-- A run's stats list its largest profiles by MPID (profiles.largest:
-- internal/identity/largest.go), in the public runs view: of every run's,
-- the entries of the profiles scope.sql gathered go, the list with its
-- last (merge_patch drops a null, as the stats leave out an empty list).
UPDATE _mosaic.runs SET stats = json_merge_patch(runs.stats, json_object('profiles', json_object('largest', k.kept)))
FROM (
    SELECT x.run_id, to_json(list(x.e ORDER BY x.n) FILTER (WHERE m.mpid IS NULL)) AS kept
    FROM (
        SELECT run_id, unnest(l) AS e, generate_subscripts(l, 1) AS n
        FROM (SELECT run_id, CAST(stats->'$.profiles.largest' AS JSON[]) AS l FROM _mosaic.runs)
    ) x
    LEFT JOIN _forget_mpids m ON m.mpid = CAST(x.e->>'mpid' AS BIGINT)
    GROUP BY x.run_id
    HAVING count(m.mpid) > 0
) k
WHERE runs.run_id = k.run_id;
