-- The runs' stats lists that name profiles (profiles.largest and
-- profiles.shared, in the public runs view), as largest.sql and
-- shared.sql rewrite them: forgetStatsEntries(key) is every run's list
-- under profiles.key, an entry a row with its place n;
-- forgetStatsPatch(stats, key, kept) is stats with that list replaced by
-- kept (merge_patch drops a null, as the stats leave out an empty list).
-- name: entries
CREATE OR REPLACE TEMP MACRO forgetStatsEntries(key) AS TABLE
    SELECT run_id, unnest(l) AS e, generate_subscripts(l, 1) AS n
    FROM (SELECT run_id, CAST(json_extract(stats, '$.profiles.' || key) AS JSON[]) AS l FROM _mosaic.runs);
-- name: patch
CREATE OR REPLACE TEMP MACRO forgetStatsPatch(stats, key, kept) AS
    json_merge_patch(stats, json_object('profiles', json_object(CAST(key AS VARCHAR), kept)));
