-- The identities in _id_ties (several of one type on one row) in (type,
-- value) byte order, which decides the order the kernel walks them in.
SELECT d.id FROM _mosaic.identity_dict d JOIN _id_ties t ON t.id = d.id
ORDER BY d.identity_type, d.identity_value;
