-- Intern the run's new identities (_id_groups): each new (type, value) gets
-- the next integer id and its MPID seed (doc.go rule 9: lower 64 bits of
-- md5("type:value"), little-endian, minus 2^63).
INSERT INTO _mosaic.identity_dict (id, identity_type, identity_value, seed)
SELECT (SELECT coalesce(max(id), 0) FROM _mosaic.identity_dict) + row_number() OVER (ORDER BY t, v),
    t, v, CAST(CAST(md5_number_lower(t || ':' || v) AS HUGEINT) - 9223372036854775808 AS BIGINT)
FROM _id_groups g
WHERE NOT EXISTS (SELECT 1 FROM _mosaic.identity_dict d WHERE d.identity_type = g.t AND d.identity_value = g.v);
