-- Set output $1's state entries: keys $2, values $3, tags $4 ('' for none),
-- as of $5 (keys are distinct).
INSERT INTO _mosaic.output_kv (output, key, value, tag, updated_at)
SELECT $1, e.key, e.value, nullif(e.tag, ''), $5
FROM (SELECT unnest($2::VARCHAR[]) AS key, unnest($3::VARCHAR[]) AS value, unnest($4::VARCHAR[]) AS tag) e
ON CONFLICT (output, key) DO UPDATE SET value = excluded.value, tag = excluded.tag, updated_at = excluded.updated_at;
