-- Each audience of the level just evaluated ($1: their names, in the order
-- of _aud_members' aud) with its size, entries and exits, as one JSON object
-- {audience: {size, entered, exited}} (audiences with no member and no
-- change are absent).
SELECT coalesce(CAST(json_group_object(coalesce(s.audience, d.audience), json_object('size', coalesce(size, 0), 'entered', coalesce(entered, 0), 'exited', coalesce(exited, 0))) AS VARCHAR), '{}')
FROM (SELECT ($1::VARCHAR[])[aud] AS audience, count(*) AS size FROM _aud_members GROUP BY aud) s
FULL OUTER JOIN (
    SELECT audience, count(*) FILTER (WHERE enters) AS entered, count(*) FILTER (WHERE NOT enters) AS exited
    FROM _aud_delta GROUP BY audience
) d ON d.audience = s.audience;
