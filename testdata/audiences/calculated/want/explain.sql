-- The compiled query of each audience of pipeline calculated, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience frequent (pipeline.yaml:33:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'orders_30d' AND calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) >= 2
);

-- audience big_spender (pipeline.yaml:34:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'spend_90d' AND calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) > 500
);
