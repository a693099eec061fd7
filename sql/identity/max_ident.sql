-- The largest interned identity id: the kernel sizes its arrays by it.
SELECT coalesce(max(id), 0) FROM _mosaic.identity_dict;
