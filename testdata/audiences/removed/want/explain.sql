-- The compiled query of each audience of pipeline removed, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience gold (pipeline.yaml:10:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tier' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold'
);
