-- Audiences with current members that the pipeline file ($1: its audience
-- names) no longer has, as one JSON object {audience: members}.
SELECT coalesce(CAST(json_group_object(a.name, h.n) AS VARCHAR), '{}')
FROM (
    SELECT audience_id, count(*) AS n FROM _mosaic.audience_history
    WHERE exited_at IS NULL
      AND audience_id NOT IN (SELECT id FROM _mosaic.audiences WHERE list_contains($1::VARCHAR[], name))
    GROUP BY audience_id
) h JOIN _mosaic.audiences a ON a.id = h.audience_id;
