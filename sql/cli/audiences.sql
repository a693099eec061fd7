-- Each audience in the store, and each one the pipeline file defines ($1,
-- empty with --state): its current members, its last change (the latest
-- entry or exit) and how many entered and exited then.
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
       l.changed_at AS last_change,
       count(h.mpid) FILTER (WHERE h.entered_at = l.changed_at) AS entered,
       count(h.mpid) FILTER (WHERE h.exited_at = l.changed_at) AS exited
FROM names n
LEFT JOIN last l USING (audience)
LEFT JOIN main.audience_history h USING (audience)
GROUP BY n.audience, l.changed_at
ORDER BY n.audience;
