-- The compiled query of each audience of pipeline nested_boolean, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience lapsed_vip (pipeline.yaml:27:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    (
        SELECT mpid FROM main.profile_attributes
        WHERE key = 'tier' AND NOT calculated
          AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold'
    )
    EXCEPT
    (
        SELECT mpid FROM main.events
        WHERE mpid IS NOT NULL AND event_name = 'purchase'
          AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
          AND occurred_at <= $now::TIMESTAMPTZ
        GROUP BY mpid
        HAVING count(*) >= 1
    )
);

-- audience nested (pipeline.yaml:32:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    (
        (
            SELECT mpid FROM main.profile_attributes
            WHERE key = 'tier' AND NOT calculated
              AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold'
        )
        EXCEPT
        (
            SELECT mpid FROM main.events
            WHERE mpid IS NOT NULL AND event_name = 'purchase'
              AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
              AND occurred_at <= $now::TIMESTAMPTZ
            GROUP BY mpid
            HAVING count(*) >= 1
        )
    )
    UNION
    (
        (
            SELECT mpid FROM main.profile_identities WHERE identity_type = 'email'
        )
        EXCEPT
        (
            SELECT mpid FROM main.profile_attributes
            WHERE key = 'city' AND NOT calculated
              AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'Paris'
        )
    )
    UNION
    (
        SELECT mpid FROM main.profiles
        EXCEPT
        (
            (
                SELECT mpid FROM main.profile_attributes
                WHERE key = 'ltv' AND NOT calculated
                  AND TRY_CAST((value ->> '$') AS DOUBLE) >= 100
            )
            UNION
            (
                SELECT mpid FROM main.events
                WHERE mpid IS NOT NULL AND event_name = 'app_open'
                  AND occurred_at <= $now::TIMESTAMPTZ
                GROUP BY mpid
                HAVING count(*) >= 1
            )
        )
    )
);

-- audience only_negations (pipeline.yaml:45:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profiles
    EXCEPT
    (
        SELECT mpid FROM main.profile_attributes
        WHERE key = 'tier' AND NOT calculated
          AND json_type(value) <> 'NULL'
    )
    EXCEPT
    (
        SELECT mpid FROM main.events
        WHERE mpid IS NOT NULL AND event_name = 'purchase'
          AND occurred_at <= $now::TIMESTAMPTZ
        GROUP BY mpid
        HAVING count(*) >= 1
    )
);

-- audience double_negation (pipeline.yaml:50:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profiles
    EXCEPT
    (
        SELECT mpid FROM main.profiles
        EXCEPT
        (
            SELECT mpid FROM main.events
            WHERE mpid IS NOT NULL AND event_name = 'purchase'
              AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
              AND occurred_at <= $now::TIMESTAMPTZ
            GROUP BY mpid
            HAVING count(*) >= 1
        )
    )
);
