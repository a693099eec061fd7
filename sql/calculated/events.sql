-- The input events of the dirty pairs: for a full pair every event of the
-- attribute's name in its window, otherwise only run $1's; then the event
-- predicates (temp table _calc_where: all of an attribute's must hold).
-- v is the attribute read (NULL when absent or null), num its number.
CREATE OR REPLACE TEMP TABLE _calc_events AS
WITH candidates AS (
    SELECT p.idx, p.kind, p.path, e.mpid, e.occurred_at, e.event_id, e.attributes, row_number() OVER () AS rid
    FROM _calc_plan p
    JOIN _mosaic.events e ON e.event_name = p.event AND e.occurred_at BETWEEN p.lower_at AND p.upper_at
    JOIN _calc_dirty x ON x.idx = p.idx AND x.mpid = e.mpid
    WHERE x.whole OR e.run_id = $1
),
failed AS (
    SELECT DISTINCT c.rid
    FROM candidates c JOIN _calc_where w ON w.idx = c.idx
    WHERE NOT calcPred(c.attributes, w.path, w.op, CAST(w.value AS JSON))
),
kept AS (
    SELECT c.*,
        CASE WHEN json_type(json_extract(c.attributes, c.path)) <> 'NULL' THEN json_extract(c.attributes, c.path) END AS v
    FROM candidates c ANTI JOIN failed f ON f.rid = c.rid
)
SELECT idx, kind, mpid, occurred_at, event_id, v, TRY_CAST(calcText(v) AS DECIMAL(38, 9)) AS num
FROM kept;
