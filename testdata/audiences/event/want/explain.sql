-- The compiled query of each audience of pipeline event, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience purchased_30d (pipeline.yaml:29:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience purchased_3_times (pipeline.yaml:30:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING count(*) >= 3
);

-- audience purchased_under_2 (pipeline.yaml:31:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profiles
    EXCEPT
    (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING NOT (count(*) < 2)
    )
);

-- audience never_purchased (pipeline.yaml:32:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profiles
    EXCEPT
    (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING NOT (count(*) = 0)
    )
);

-- audience purchased_1_to_2 (pipeline.yaml:33:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING count(*) >= 1 AND count(*) <= 2
);

-- audience purchased_in_april (pipeline.yaml:34:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= TIMESTAMPTZ '2026-04-01 00:00:00Z'
      AND occurred_at < TIMESTAMPTZ '2026-05-01 00:00:00Z'
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience purchased_60_to_20d (pipeline.yaml:35:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 60 DAY
      AND occurred_at < $now::TIMESTAMPTZ - INTERVAL 20 DAY
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience last_purchase_7d (pipeline.yaml:36:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING max(occurred_at) >= $now::TIMESTAMPTZ - INTERVAL 7 DAY
);

-- audience bought_socks (pipeline.yaml:37:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/category')
    ) = 'VARCHAR' AND (json_extract(attributes, '/category')
     ->> '$') = 'socks'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience big_purchase (pipeline.yaml:38:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/amount')
     ->> '$') AS DOUBLE) >= 100
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience over_20_twice_30d (pipeline.yaml:39:11)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/amount')
     ->> '$') AS DOUBLE) > 12
    )
      AND (json_type(json_extract(attributes, '/category')
    ) = 'VARCHAR' AND regexp_matches((json_extract(attributes, '/category')
     ->> '$'), '(?i)^socks$')
    )
    GROUP BY mpid
    HAVING count(*) >= 2
);

-- audience opened_app (pipeline.yaml:46:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'app_open'
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING count(*) >= 1
);
