-- What the stage is about to do for the dirty pairs: pairs recomputed in
-- full, pairs updated incrementally, values that change. The fresh
-- definitions' values are counted as they are stored (fresh.sql.tmpl).
SELECT (SELECT count(*) FILTER (WHERE whole) FROM _calc_dirty),
    (SELECT count(*) FILTER (WHERE NOT whole) FROM _calc_dirty),
    (SELECT count(*) FROM _calc_new);
