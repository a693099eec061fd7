-- What the stage is about to do: pairs recomputed in full, pairs updated
-- incrementally, values that change.
-- Pairs of fresh definitions count as recomputed when they have input events.
SELECT (SELECT count(*) FILTER (WHERE whole) FROM _calc_dirty)
        + (SELECT count(*) FROM _calc_agg JOIN _calc_plan USING (idx) WHERE fresh),
    (SELECT count(*) FILTER (WHERE NOT whole) FROM _calc_dirty),
    (SELECT count(*) FROM _calc_new);
