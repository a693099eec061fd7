-- What run $1 recorded in dropped_rows, by feed and reason: the records,
-- and how many of them are rows that a stage after staging dropped
-- (docs/design.md, dropped rows): forgotten_identity, no_matching_profile,
-- unknown_mpid, and unique_conflict when it names no identity (an
-- only_update row; one that names its identity kept its row). Staging
-- counts the rows it drops itself; the other records are of an
-- identity, value or attribute of a row that is kept.
SELECT feed, reason, count(*) AS records,
    count(*) FILTER (WHERE reason IN ('forgotten_identity', 'no_matching_profile', 'unknown_mpid')
                        OR (reason = 'unique_conflict' AND ("row"->>'identity_type') IS NULL)) AS later_rows
FROM _mosaic.dropped_rows WHERE run_id = $1 GROUP BY ALL ORDER BY ALL;
