-- Counts of the mapped rows of one feed, and the new watermark (the cursor
-- text of the greatest cursor seen; the old one, $1, when none is greater).
SELECT count(*) AS read,
    count(*) FILTER (WHERE reason IS NULL AND NOT seen) AS kept,
    count(*) FILTER (WHERE reason IS NOT NULL) AS dropped,
    count(*) FILTER (WHERE reason IS NULL AND seen) AS seen,
    coalesce(sum(n_blocked) FILTER (WHERE reason IS NULL AND NOT seen), 0) AS blocked,
    coalesce(arg_max(cursor_raw, cursor_key) FILTER (WHERE reason IS NULL AND NOT seen), $1::VARCHAR) AS watermark
FROM _mapped;
