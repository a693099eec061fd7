-- A full refresh (in its transaction, before engine/full_refresh.sql.tmpl
-- deletes the rows staged before it): the rows the refresh staged (row id
-- $1 on) that events output $2 forwarded in a run up to its position $3.
-- A row is the same as one staged before when one of its events has the
-- same id in the same feed: an event's id is the batch's source_message_id
-- or its batch and place, and a columnar row's the hash of the feed, its
-- file and its content. An id is compared as a UUID where it is one, as
-- text otherwise: stores older than schema version 19 kept UUIDs as text
-- (migrations/0019_uuid_ids.sql). At 1M users, 5M past events against
-- 8.5M staged: 4.4 s and 1.1 GB (as text on both sides: 5.6 s).
INSERT INTO _mosaic.output_forwarded (output, row_id)
WITH ids AS (
    SELECT e.row_id, r.feed, r.run_id, coalesce(e.event_uuid, TRY_CAST(e.event_id AS UUID)) AS u, e.event_id
    FROM _mosaic.feed_events e JOIN _mosaic.feed_rows r ON r.row_id = e.row_id
),
keyed AS (SELECT row_id, feed, run_id, u, CASE WHEN u IS NULL THEN event_id END AS t FROM ids)
SELECT DISTINCT $2, n.row_id
FROM (SELECT * FROM keyed WHERE row_id >= $1) n
JOIN (SELECT DISTINCT feed, u, t FROM keyed WHERE row_id < $1 AND run_id <= $3) o
  ON o.feed = n.feed AND o.u IS NOT DISTINCT FROM n.u AND o.t IS NOT DISTINCT FROM n.t;
