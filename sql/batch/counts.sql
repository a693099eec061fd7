SELECT count(*), count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL),
    coalesce(sum(n_blocked) FILTER (WHERE reason IS NULL), 0)
FROM _brows;
