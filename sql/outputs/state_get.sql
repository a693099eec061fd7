-- Output $1's state entries whose keys are in $2.
SELECT key, value FROM _mosaic.output_kv
WHERE output = $1 AND key IN (SELECT unnest($2::VARCHAR[]));
