-- Audiences with current members that the pipeline file ($1: its audience
-- names) no longer has, as one JSON object {audience: members}.
SELECT coalesce(CAST(json_group_object(audience, n) AS VARCHAR), '{}') FROM (
    SELECT audience, count(*) AS n FROM _mosaic.audience_history
    WHERE exited_at IS NULL AND NOT list_contains($1::VARCHAR[], audience)
    GROUP BY audience
);
