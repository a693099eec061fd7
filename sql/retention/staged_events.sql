-- The staged copies of the events of the days before $1 (a DATE), as
-- events.sql deletes the events: what a run staged is kept for the events
-- outputs and explain, not past the retention of events. The connection's
-- time zone is UTC (engine.Store), so the day starts at UTC midnight.
DELETE FROM _mosaic.feed_events WHERE occurred_at < CAST(CAST($1 AS DATE) AS TIMESTAMPTZ);
