-- Store run $1's events with their row's profile, as it is after the run's
-- merges; rows of only_read feeds ($2: their positions) keep mpid NULL, and
-- events of rows dropped by identity resolution are not stored. Inserted in
-- day order, so that each day's events share row groups (see
-- migrations/0002_event_days.sql). The run's rows are the newest, so
-- staged events and row profiles are read from its first row id on.
INSERT INTO _mosaic.events (event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id, occurred_day, run_id)
SELECT e.event_id, coalesce(al.mpid, rp.mpid), r.feed, e.event_type, e.event_name, e.occurred_at, e.attributes, r.request_id,
    CAST(timezone('UTC', e.occurred_at) AS DATE) AS occurred_day, $1
FROM (SELECT * FROM _mosaic.feed_events WHERE row_id >= (SELECT min(row_id) FROM _mosaic.feed_rows WHERE run_id = $1)) e
JOIN _mosaic.feed_rows r USING (row_id)
LEFT JOIN (SELECT * FROM _mosaic.row_profiles WHERE row_id >= (SELECT min(row_id) FROM _mosaic.feed_rows WHERE run_id = $1)) rp USING (row_id)
LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid
WHERE r.run_id = $1 AND (rp.mpid IS NOT NULL OR list_contains($2::INTEGER[], r.feed_pos))
ORDER BY occurred_day, e.occurred_at;
