-- The outputs' own state (output_kv: caches such as UID2 mappings of hashed
-- identities) loses what derives from the erased profiles: of the outputs
-- in $1, the keys $3 paired with $2; every other output's state whole, as
-- the engine cannot tell which of its entries derive from the profiles
-- (its destination builds them again).
DELETE FROM _mosaic.output_kv k
WHERE NOT list_contains($1::VARCHAR[], k.output)
   OR EXISTS (SELECT 1 FROM (SELECT unnest($2::VARCHAR[]) AS output, unnest($3::VARCHAR[]) AS key) f
              WHERE f.output = k.output AND f.key = k.key);
