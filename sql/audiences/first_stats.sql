-- The stats of a level after its first evaluation (enter_first.sql.tmpl;
-- $1: the audiences' names, $2: their numbers, in the same order): every
-- current member entered in this run and none exited, as one JSON object
-- {audience: {size, entered, exited}} (audiences without members absent).
SELECT coalesce(CAST(json_group_object(($1::VARCHAR[])[list_position($2::INTEGER[], audience_id)],
    json_object('size', n, 'entered', n, 'exited', 0)) AS VARCHAR), '{}')
FROM (
    SELECT audience_id, count(*) AS n FROM _mosaic.audience_history
    WHERE exited_at IS NULL AND list_contains($2::INTEGER[], audience_id)
    GROUP BY audience_id
);
