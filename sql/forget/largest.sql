-- A run's stats list its largest profiles by MPID (profiles.largest:
-- internal/identity/largest.go), in the public runs view: of every run's,
-- the entries of the profiles scope.sql gathered go (stats.sql).
UPDATE _mosaic.runs SET stats = forgetStatsPatch(runs.stats, 'largest', k.kept)
FROM (
    SELECT x.run_id, to_json(list(x.e ORDER BY x.n) FILTER (WHERE m.mpid IS NULL)) AS kept
    FROM forgetStatsEntries('largest') x
    LEFT JOIN _forget_mpids m ON m.mpid = CAST(x.e->>'mpid' AS BIGINT)
    GROUP BY x.run_id
    HAVING count(m.mpid) > 0
) k
WHERE runs.run_id = k.run_id;
