-- The $1 values max_shared kept from linking that the most records carry
-- (shared.sql made _id_shared), each with the count of them all.
SELECT t, v, records, n, count(*) OVER () AS total
FROM _id_shared
ORDER BY records DESC, t, v
LIMIT $1;
