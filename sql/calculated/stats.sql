-- What the stage is about to do: pairs recomputed in full, pairs updated
-- incrementally, values that change.
SELECT (SELECT count(*) FILTER (WHERE whole) FROM _calc_dirty),
    (SELECT count(*) FILTER (WHERE NOT whole) FROM _calc_dirty),
    (SELECT count(*) FROM _calc_new);
