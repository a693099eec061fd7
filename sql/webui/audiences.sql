-- The audiences pages. $1 names an audience, except in "list".

-- name: list
-- Each audience in the store or the pipeline file ($1, their names): its
-- current size and its last change (the latest entry or exit).
WITH names AS (
    SELECT DISTINCT audience FROM main.audience_history
    UNION
    SELECT unnest($1::VARCHAR[])
), last AS (
    SELECT audience, max(greatest(entered_at, coalesce(exited_at, entered_at))) AS changed_at
    FROM main.audience_history GROUP BY audience
)
SELECT n.audience,
       count(h.mpid) FILTER (WHERE h.exited_at IS NULL) AS members,
       l.changed_at
FROM names n
LEFT JOIN last l USING (audience)
LEFT JOIN main.audience_history h USING (audience)
GROUP BY n.audience, l.changed_at
ORDER BY n.audience;

-- name: known
SELECT count(*) > 0 FROM main.audience_history WHERE audience = $1;

-- name: size
SELECT count(*) FROM main.audience_members WHERE audience = $1;

-- name: runs
-- The audience's figures in the latest 100 runs that have them, oldest
-- first.
SELECT * FROM (
    SELECT run_id, started_at, CAST(figures AS VARCHAR) AS figures
    FROM (SELECT run_id, started_at, (stats->'audiences')->CAST($1 AS VARCHAR) AS figures FROM main.runs)
    WHERE figures IS NOT NULL
    ORDER BY run_id DESC LIMIT 100
) ORDER BY run_id;

-- name: changes
-- The latest 50 entries and exits, newest first.
SELECT * FROM (
    SELECT 'entered' AS change, mpid, entered_at AS changed_at, run_id FROM main.audience_history WHERE audience = $1
    UNION ALL
    SELECT 'exited', mpid, exited_at, NULL FROM main.audience_history WHERE audience = $1 AND exited_at IS NOT NULL
) ORDER BY changed_at DESC, mpid LIMIT 50;
