-- Drop output $1's state entries tagged with one of $2.
DELETE FROM _mosaic.output_kv WHERE output = $1 AND tag IN (SELECT unnest($2::VARCHAR[]));
