-- Intern the identities of run $1's rows: each new (type, value) gets the
-- next integer id and its MPID seed (doc.go rule 9: lower 64 bits of
-- md5("type:value"), little-endian, minus 2^63). The run's rows are the
-- newest: their row ids start at the run's first (zone maps skip the rest).
INSERT INTO _mosaic.identity_dict (id, identity_type, identity_value, seed)
SELECT (SELECT coalesce(max(id), 0) FROM _mosaic.identity_dict) + row_number() OVER (ORDER BY t, v),
    t, v, CAST(CAST(md5_number_lower(t || ':' || v) AS HUGEINT) - 9223372036854775808 AS BIGINT)
FROM (
    SELECT DISTINCT identity_type AS t, identity_value AS v
    FROM _mosaic.feed_identities
    WHERE row_id >= (SELECT min(row_id) FROM _mosaic.feed_rows WHERE run_id = $1)
) n
WHERE NOT EXISTS (SELECT 1 FROM _mosaic.identity_dict d WHERE d.identity_type = n.t AND d.identity_value = n.v);
