-- Each audience of the level just evaluated ($1: their names, in the order
-- of _aud_members' aud) with its size, entries and exits, as one JSON object
-- {audience: {size, entered, exited}} (audiences with no member and no
-- change are absent).
SELECT coalesce(CAST(json_group_object(($1::VARCHAR[])[coalesce(s.aud, d.aud)], json_object('size', coalesce(size, 0), 'entered', coalesce(entered, 0), 'exited', coalesce(exited, 0))) AS VARCHAR), '{}')
FROM (SELECT aud, count(*) AS size FROM _aud_members GROUP BY aud) s
FULL OUTER JOIN (
    SELECT aud, count(*) FILTER (WHERE enters) AS entered, count(*) FILTER (WHERE NOT enters) AS exited
    FROM _aud_delta GROUP BY aud
) d ON d.aud = s.aud;
