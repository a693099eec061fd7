-- The compiled query of each audience of pipeline merge, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience gold (pipeline.yaml:18:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tier' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold'
);

-- audience aliased (pipeline.yaml:19:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT coalesce(al.mpid, TRY_CAST(q.mpid AS BIGINT)) AS mpid
    FROM (
SELECT alias_mpid AS mpid FROM profile_aliases
    ) AS q
    LEFT JOIN main.profile_aliases al ON al.alias_mpid = TRY_CAST(q.mpid AS BIGINT)
);

-- audience everyone (pipeline.yaml:20:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profiles
    EXCEPT
    (
        SELECT mpid FROM main.profile_identities WHERE identity_type = 'mobile_number'
    )
);
