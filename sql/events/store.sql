-- Store run $1's events with their row's profile, as it is after the run's
-- merges (the identity stage writes a row's final profile: no alias is
-- followed here); rows of only_read feeds ($2: their positions) keep mpid NULL, and
-- events of rows dropped by identity resolution are not stored. $3 lists
-- the feeds' names by position: a staged event carries its row's feed
-- position and batch id (migrations/0015_feed_event_source.sql), so no
-- feed_rows are joined. Inserted in day order, so that each day's events
-- share row groups (see migrations/0002_event_days.sql); the order within
-- a day does not matter, and sorting on the day alone cost 0.6-0.9x the
-- day and time at 1M users. The run's rows are the newest, so staged
-- events and row profiles are read from its first row id on (from past
-- the largest when it has none: a NULL bound skips no row group, and a run
-- with no rows spent 2.9 s here at 1M users). Ids stay as they were
-- staged: UUIDs where they are ones (migrations/0019_uuid_ids.sql).
INSERT INTO _mosaic.events (event_id, event_uuid, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id, batch_uuid, occurred_day, run_id)
SELECT e.event_id, e.event_uuid, rp.mpid, list_extract($3::VARCHAR[], e.feed_pos + 1), e.event_type, e.event_name,
    e.occurred_at, e.attributes, e.batch_id, e.batch_uuid, utcDay(e.occurred_at) AS occurred_day, $1
FROM (SELECT * FROM _mosaic.feed_events WHERE row_id >= (SELECT coalesce(min(row_id), 9223372036854775807) FROM _mosaic.feed_rows WHERE run_id = $1)) e
LEFT JOIN (SELECT * FROM _mosaic.row_profiles WHERE row_id >= (SELECT coalesce(min(row_id), 9223372036854775807) FROM _mosaic.feed_rows WHERE run_id = $1)) rp USING (row_id)
WHERE rp.mpid IS NOT NULL OR list_contains($2::INTEGER[], e.feed_pos)
ORDER BY occurred_day;
