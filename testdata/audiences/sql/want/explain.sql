-- The compiled query of each audience of pipeline sql, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience x_com_emails (pipeline.yaml:27:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT coalesce(al.mpid, TRY_CAST(q.mpid AS BIGINT)) AS mpid
    FROM (
SELECT mpid FROM profile_identities
WHERE identity_type = 'email' AND identity_value LIKE '%@x.com' -- a comment
    ) AS q
    LEFT JOIN main.profile_aliases al ON al.alias_mpid = TRY_CAST(q.mpid AS BIGINT)
);

-- audience gold_sql_and_buyer (pipeline.yaml:32:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    (
        SELECT coalesce(al.mpid, TRY_CAST(q.mpid AS BIGINT)) AS mpid
        FROM (
SELECT mpid FROM profile_attributes WHERE key = 'tier' AND (value ->> '$') = 'gold'
        ) AS q
        LEFT JOIN main.profile_aliases al ON al.alias_mpid = TRY_CAST(q.mpid AS BIGINT)
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
