-- A full refresh (in its transaction, before engine/full_refresh.sql.tmpl
-- deletes the rows staged before it): the rows the refresh staged (row id
-- $1 on) that events output $2 forwarded before: in a run up to its
-- position $3 (0 when it has none) but those it owes (owed.sql), or past
-- it (passed, below). A row it owed is staged again unmarked, in the
-- refresh's run: the output forwards it from there.
-- A row is the same as one staged before, in the same feed, when it is a
-- batch with the same source_request_id (a batch of user attributes alone
-- has no event) or, for a row without one, when one of its events has the
-- same id (an event's id is the batch's source_message_id or its batch
-- and place, a columnar row's the hash of the feed, its file and its
-- content). An id is compared as a UUID where it is one, as text
-- otherwise: stores older than schema version 19 kept UUIDs as text
-- (migrations/0019_uuid_ids.sql). At 1M users, 8.5M batches staged before
-- and again: 4.6-5.3 s and 2.3 GB of RSS (keyed by their events as well,
-- 9.7 s and 4.4 GB; ids as text, slower still). The marks of the rows
-- staged before go (forget_forwarded.sql drops the rest), as do the rows
-- owed of them.
-- name: marks
INSERT INTO _mosaic.output_forwarded (output, row_id)
WITH ids AS (
    SELECT row_id, feed, run_id, 'batch' AS kind, coalesce(request_uuid, TRY_CAST(request_id AS UUID)) AS u, request_id AS id
    FROM _mosaic.feed_rows WHERE request_uuid IS NOT NULL OR request_id IS NOT NULL
    UNION ALL
    SELECT e.row_id, r.feed, r.run_id, 'event', coalesce(e.event_uuid, TRY_CAST(e.event_id AS UUID)), e.event_id
    FROM _mosaic.feed_events e JOIN _mosaic.feed_rows r ON r.row_id = e.row_id
    WHERE r.request_uuid IS NULL AND r.request_id IS NULL
),
keyed AS (SELECT row_id, feed, run_id, kind, u, CASE WHEN u IS NULL THEN id END AS t FROM ids),
-- Rows past the output's position it forwarded anyway: those an earlier
-- refresh marked, and those a sync that did not finish delivered.
passed AS (
    SELECT row_id FROM _mosaic.output_forwarded WHERE output = $2 AND row_id < $1
    UNION
    SELECT CAST(split_part(key, ':', 2) AS BIGINT) FROM _mosaic.output_state WHERE output = $2
)
SELECT DISTINCT $2, n.row_id
FROM (SELECT * FROM keyed WHERE row_id >= $1) n
JOIN (SELECT DISTINCT feed, kind, u, t FROM keyed
      WHERE row_id < $1 AND (run_id <= $3 AND row_id NOT IN (SELECT row_id FROM _mosaic.output_owed WHERE output = $2)
                             OR row_id IN (SELECT row_id FROM passed))) o
  ON o.feed = n.feed AND o.kind = n.kind AND o.u IS NOT DISTINCT FROM n.u AND o.t IS NOT DISTINCT FROM n.t;
-- name: stale
DELETE FROM _mosaic.output_forwarded WHERE output = $2 AND row_id < $1;
-- name: stale_owed
DELETE FROM _mosaic.output_owed WHERE output = $2 AND row_id < $1;
