-- Schema version 19: an event's id, its batch id and a batch's request id
-- are stored as UUIDs where they are ones in their canonical text
-- (lowercase, hyphenated: what mParticle sends as source_message_id and
-- source_request_id), in event_uuid, batch_uuid and request_uuid, with the
-- text columns NULL; any other id is kept as text, as before. Sixteen
-- bytes hashed and written as one value instead of 36 characters
-- FSST-compressed on every write: storing a 1M-user first run's 8.5M
-- events took 5.3-7.1 s against 9.1-9.5 s as text. The events view reads
-- each id back as the text it came as. Events stored before this version
-- keep their text; request ids kept before it are converted here, so that
-- the checks of batches already ingested (batch/rows.sql.tmpl) find every
-- canonical one among the UUIDs. feed_rows is rewritten rather than
-- updated in place: an UPDATE holds each changed value in memory until the
-- checkpoint, where an insert streams to disk (a 1M-user store migrated
-- and run with a 300 MB limit peaked at 1.47 GB updated, 1.32 GB
-- rewritten; 85M rows at 10M users).
CREATE TABLE _mosaic.feed_rows_v19 (
    row_id       BIGINT NOT NULL,
    run_id       BIGINT NOT NULL,
    feed         VARCHAR NOT NULL,
    feed_pos     INTEGER NOT NULL,
    row_pos      BIGINT NOT NULL,
    ts           TIMESTAMPTZ NOT NULL,
    mpid         BIGINT,
    origin       VARCHAR USING COMPRESSION fsst,
    request_id   VARCHAR USING COMPRESSION fsst,
    request_uuid UUID
);
INSERT INTO _mosaic.feed_rows_v19
SELECT row_id, run_id, feed, feed_pos, row_pos, ts, mpid, origin,
    CASE WHEN canonical THEN NULL ELSE request_id END, CASE WHEN canonical THEN u END
FROM (SELECT *, CAST(u AS VARCHAR) = request_id AS canonical
      FROM (SELECT *, TRY_CAST(request_id AS UUID) AS u FROM _mosaic.feed_rows));
DROP TABLE _mosaic.feed_rows;
ALTER TABLE _mosaic.feed_rows_v19 RENAME TO feed_rows;
ALTER TABLE _mosaic.feed_events ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE _mosaic.feed_events ADD COLUMN event_uuid UUID;
ALTER TABLE _mosaic.feed_events ADD COLUMN batch_uuid UUID;
ALTER TABLE _mosaic.events ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE _mosaic.events ADD COLUMN event_uuid UUID;
ALTER TABLE _mosaic.events ADD COLUMN batch_uuid UUID;
DROP VIEW main.events;
CREATE VIEW main.events AS
    SELECT coalesce(event_id, CAST(event_uuid AS VARCHAR)) AS event_id, mpid, feed, event_type, event_name, occurred_at,
        attributes, coalesce(batch_id, CAST(batch_uuid AS VARCHAR)) AS batch_id
    FROM _mosaic.events;
