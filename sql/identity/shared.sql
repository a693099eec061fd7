-- identity.max_shared: the run's identity values (_id_groups) carried by
-- more rows of the store than their type's limit link nothing.
-- name: shared
-- $1 the limited types, $2 their limits.
CREATE OR REPLACE TEMP TABLE _id_shared AS
WITH lim AS (
    SELECT unnest($1::VARCHAR[]) AS t, unnest($2::BIGINT[]) AS n
),
run AS (
    SELECT g.t, g.v, g.id, g.rows, lim.n FROM _id_groups g JOIN lim USING (t)
),
seen AS (
    SELECT fi.identity_type AS t, fi.identity_value AS v, count(DISTINCT fi.row_id) AS records
    FROM _mosaic.feed_identities fi
    SEMI JOIN run ON run.t = fi.identity_type AND run.v = fi.identity_value
    GROUP BY ALL
)
SELECT run.id, run.t, run.v, run.n, run.rows, seen.records
FROM run JOIN seen USING (t, v)
WHERE seen.records > run.n;
-- name: record
-- One dropped_rows line per value and feed: the records counted, the
-- limit, how many of the run's rows of the feed carry it, three of them.
-- $1 run id.
INSERT INTO _mosaic.dropped_rows (run_id, feed, reason, "row")
SELECT $1, f.feed, 'shared_identity',
    json_object('identity_type', s.t, 'identity_value', s.v, 'records', s.records, 'max_shared', s.n,
                'rows', count(*),
                'samples', list(json_object('origin', f.origin, 'row_pos', f.row_pos) ORDER BY f.row_pos)[1:3])
FROM (SELECT t, v, n, records, unnest(rows) AS row_id FROM _id_shared) s
JOIN _mosaic.feed_rows f ON f.row_id = s.row_id
GROUP BY f.feed, s.t, s.v, s.n, s.records;
-- name: unlink
DELETE FROM _id_groups WHERE id IN (SELECT id FROM _id_shared);
