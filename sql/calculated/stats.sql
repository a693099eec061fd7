-- What the stage is about to do: pairs recomputed in full, pairs updated
-- incrementally, values of dirty pairs that change, values of fresh
-- definitions stored (those not empty).
-- Pairs of fresh definitions count as recomputed when they have input events
-- (_calc_fresh has a row for each).
SELECT (SELECT count(*) FILTER (WHERE whole) FROM _calc_dirty)
        + (SELECT count(*) FROM _calc_fresh),
    (SELECT count(*) FILTER (WHERE NOT whole) FROM _calc_dirty),
    (SELECT count(*) FROM _calc_new),
    (SELECT count(*) FROM _calc_fresh f JOIN _calc_plan p USING (idx) WHERE f.value <> calcEmpty(p.kind));
