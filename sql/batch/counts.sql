SELECT count(*), count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL AND reason <> 'already_ingested'),
    count(*) FILTER (WHERE reason = 'already_ingested'),
    coalesce(sum(n_blocked) FILTER (WHERE reason IS NULL), 0)
FROM _brows;
