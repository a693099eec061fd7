SELECT count(*), count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL AND reason <> 'already_ingested'),
    count(*) FILTER (WHERE reason = 'already_ingested'),
    (SELECT count(*) FROM _bids ANTI JOIN _bnotkept USING (row_pos) WHERE blocked)
FROM _brows;
