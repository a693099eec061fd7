-- The identities in _id_ties (several of one type on one row) in (type,
-- value) byte order, which decides the order the kernel walks them in.
SELECT g.id FROM _id_groups g JOIN _id_ties t ON t.id = g.id
ORDER BY g.t, g.v;
