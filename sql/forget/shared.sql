-- The diagnostics of the identity values identity.max_shared kept from
-- linking (sql/identity/shared.sql: a shared_identity dropped row per run,
-- feed and value, with the records of the store that carried it, the
-- run's rows of the feed and three of them as samples; and the run's
-- stats, profiles.shared in the public runs view, with the records). Of a
-- value of _forget_values (the forgotten person's) they go. A value that
-- stays (others' rows carry it too: rows.sql) keeps them without his
-- rows: counted out of records and rows, his samples gone; an entry that
-- no longer counts more records than max_shared, or no row of its feed,
-- existed because of his rows and goes. The count of shared values in the
-- stats (shared_values) stays: it names no one.
-- name: carried
-- The forgotten rows' values that stay, where each row was. The few
-- values are found first and their rows looked up by id: one join of the
-- two staged tables hashed the 10M feed rows of a 1M-user store (0.39-0.55
-- s against 0.11-0.12 s).
CREATE OR REPLACE TEMP TABLE _forget_shared AS
WITH v AS MATERIALIZED (
    SELECT DISTINCT row_id, identity_type, identity_value FROM _mosaic.feed_identities
    WHERE row_id IN (SELECT row_id FROM _forget_rows)
      AND (identity_type, identity_value) NOT IN (SELECT identity_type, identity_value FROM _forget_values)
)
SELECT v.row_id, r.run_id, r.feed, r.origin, r.row_pos, v.identity_type, v.identity_value
FROM v JOIN _mosaic.feed_rows r USING (row_id)
WHERE r.row_id IN (SELECT row_id FROM _forget_rows);
-- name: drops
-- Each shared_identity row of one of them, with what is left once the
-- rows it counted of his (of its run and feed; of the store up to its
-- run) and his samples are taken out.
CREATE OR REPLACE TEMP TABLE _forget_shared_drops AS
WITH d AS (
    SELECT rowid AS id, run_id, feed, "row"->>'identity_type' AS t, "row"->>'identity_value' AS v,
        CAST("row"->>'records' AS BIGINT) AS records, CAST("row"->>'rows' AS BIGINT) AS rows,
        CAST("row"->>'max_shared' AS BIGINT) AS lim, CAST("row"->'samples' AS JSON[]) AS samples
    FROM _mosaic.dropped_rows
    WHERE reason = 'shared_identity'
      AND ("row"->>'identity_type', "row"->>'identity_value') IN (SELECT identity_type, identity_value FROM _forget_shared)
),
his AS (
    SELECT d.id, count(DISTINCT c.row_id) AS records,
        count(DISTINCT c.row_id) FILTER (WHERE c.run_id = d.run_id AND c.feed = d.feed) AS rows
    FROM d JOIN _forget_shared c ON c.identity_type = d.t AND c.identity_value = d.v AND c.run_id <= d.run_id
    GROUP BY d.id
),
samples AS (
    SELECT x.id, list(x.e ORDER BY x.n) FILTER (WHERE c.row_pos IS NULL) AS samples
    FROM (SELECT id, run_id, feed, unnest(samples) AS e, generate_subscripts(samples, 1) AS n FROM d) x
    LEFT JOIN (SELECT DISTINCT run_id, feed, origin, row_pos FROM _forget_shared) c
      ON c.run_id = x.run_id AND c.feed = x.feed AND c.origin IS NOT DISTINCT FROM (x.e->>'origin')
     AND c.row_pos = CAST(x.e->>'row_pos' AS BIGINT)
    GROUP BY x.id
)
SELECT d.id, d.run_id, d.t, d.v, d.records - h.records AS records, d.rows - h.rows AS rows, d.lim, coalesce(s.samples, []) AS samples
FROM d JOIN his h USING (id) LEFT JOIN samples s USING (id);
-- name: drops_kept
UPDATE _mosaic.dropped_rows
SET "row" = json_merge_patch("row", json_object('records', s.records, 'rows', s.rows, 'samples', s.samples))
FROM _forget_shared_drops s
WHERE dropped_rows.rowid = s.id AND s.records > s.lim AND s.rows > 0;
-- name: drops_gone
DELETE FROM _mosaic.dropped_rows
WHERE rowid IN (SELECT id FROM _forget_shared_drops WHERE NOT (records > lim AND rows > 0));
-- name: stats
-- Every run's list, rewritten where it names one of them: an entry kept
-- with its records less his while one of its run's dropped rows of the
-- value stays (drops_kept: in that run, others' rows carry it too)
-- (stats.sql).
UPDATE _mosaic.runs SET stats = forgetStatsPatch(runs.stats, 'shared', k.kept)
FROM (
    SELECT x.run_id,
        to_json(list(CASE WHEN x.his > 0 THEN json_merge_patch(x.e, json_object('records', x.records - x.his)) ELSE x.e END ORDER BY x.n)
                FILTER (WHERE NOT x.forgotten AND (x.his = 0 OR (x.records - x.his > x.lim AND x.kept_drop)))) AS kept
    FROM (
        SELECT s.run_id, s.n, any_value(s.e) AS e,
            any_value(CAST(s.e->>'records' AS BIGINT)) AS records, any_value(CAST(s.e->>'max_shared' AS BIGINT)) AS lim,
            bool_or(f.identity_value IS NOT NULL) AS forgotten, count(DISTINCT c.row_id) AS his,
            bool_or(k.run_id IS NOT NULL) AS kept_drop
        FROM forgetStatsEntries('shared') s
        LEFT JOIN _forget_values f ON f.identity_type = (s.e->>'identity_type') AND f.identity_value = (s.e->>'identity_value')
        LEFT JOIN _forget_shared c ON c.identity_type = (s.e->>'identity_type') AND c.identity_value = (s.e->>'identity_value')
                                  AND c.run_id <= s.run_id
        LEFT JOIN (SELECT DISTINCT run_id, t, v FROM _forget_shared_drops WHERE records > lim AND rows > 0) k
          ON k.run_id = s.run_id AND k.t = (s.e->>'identity_type') AND k.v = (s.e->>'identity_value')
        GROUP BY s.run_id, s.n
    ) x
    GROUP BY x.run_id
    HAVING bool_or(x.forgotten OR x.his > 0)
) k
WHERE runs.run_id = k.run_id;
