-- Each batch with the reason it is dropped, if any.
CREATE OR REPLACE TEMP TABLE _brows AS
SELECT m.*, coalesce(u.usable, 0) AS usable, coalesce(u.blocked, 0) AS n_blocked,
    CASE WHEN m.dup THEN 'duplicate_batch'
         WHEN coalesce(u.usable, 0) = 0 AND m.mpid IS NULL THEN 'no_identity' END AS reason
FROM _bmapped m
LEFT JOIN (SELECT row_pos, count(*) FILTER (WHERE NOT blocked AND NOT long) AS usable, count(*) FILTER (WHERE blocked) AS blocked
           FROM _bids GROUP BY row_pos) u USING (row_pos);
