-- The compiled query of each audience of pipeline window_exit, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience recent_buyer (pipeline.yaml:28:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'purchase'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 30 DAY
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience active_app (pipeline.yaml:29:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'app_open'
      AND occurred_at >= $now::TIMESTAMPTZ - INTERVAL 7 DAY
      AND occurred_at <= $now::TIMESTAMPTZ
    GROUP BY mpid
    HAVING count(*) >= 1
);
