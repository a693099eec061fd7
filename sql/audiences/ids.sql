-- The numbers of the pipeline file's audiences ($1: their names), as one
-- JSON object {name: number}.
SELECT coalesce(CAST(json_group_object(name, id) AS VARCHAR), '{}')
FROM _mosaic.audiences WHERE list_contains($1::VARCHAR[], name);
