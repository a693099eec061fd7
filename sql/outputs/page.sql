-- Records $1 to $2 of the pending ones, in order.
SELECT n, change, key, CAST(payload AS VARCHAR), hash FROM _out_pending WHERE n BETWEEN $1 AND $2 ORDER BY n;
