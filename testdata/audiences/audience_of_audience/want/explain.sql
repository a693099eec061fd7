-- The compiled query of each audience of pipeline audience_of_audience, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience gold (pipeline.yaml:32:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tier' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold'
);

-- audience gold_buyers (pipeline.yaml:28:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    (
        SELECT mpid FROM main.audience_members WHERE audience = 'gold'
    )
    INTERSECT
    (
        SELECT mpid FROM main.events
        WHERE mpid IS NOT NULL AND event_name = 'purchase'
          AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
          AND occurred_at <= $now::TIMESTAMPTZ
        GROUP BY mpid
        HAVING count(*) >= 1
    )
);

-- audience not_gold (pipeline.yaml:31:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profiles
    EXCEPT
    (
        SELECT mpid FROM main.audience_members WHERE audience = 'gold'
    )
);

-- audience gold_buyers_emails (pipeline.yaml:33:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    (
        SELECT mpid FROM main.audience_members WHERE audience = 'gold_buyers'
    )
    INTERSECT
    (
        SELECT mpid FROM main.profile_identities WHERE identity_type = 'email'
    )
);
