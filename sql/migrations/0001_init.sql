-- Schema version 1: the private store (schema _mosaic) and the public views
-- of docs/design.md (schema main). Everything in _mosaic may change between
-- versions; the views may not.
CREATE SCHEMA _mosaic;

CREATE TABLE _mosaic.meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE _mosaic.runs (
    run_id      BIGINT PRIMARY KEY,
    pipeline    VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,
    error       VARCHAR,
    stats       JSON
);

CREATE TABLE _mosaic.dropped_rows (
    run_id BIGINT NOT NULL,
    feed   VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    "row"  JSON
);

-- Per-feed source state (files ingested, cursor watermark) as the source
-- connector returned it; it commits with the run.
CREATE TABLE _mosaic.source_state (
    feed      VARCHAR PRIMARY KEY,
    state     JSON NOT NULL,
    watermark VARCHAR,
    run_id    BIGINT NOT NULL
);

-- Every staged feed row, in the engine's canonical long form; the identity,
-- attribute and event stages read from here.
CREATE TABLE _mosaic.feed_rows (
    row_id     BIGINT NOT NULL, -- unique by construction; no index to maintain
    run_id     BIGINT NOT NULL,
    feed       VARCHAR NOT NULL,
    feed_pos   INTEGER NOT NULL,
    row_pos    BIGINT NOT NULL,
    ts         TIMESTAMPTZ NOT NULL,
    mpid       BIGINT,
    origin     VARCHAR,
    request_id VARCHAR -- a batch's source_request_id: a batch is ingested once
);
CREATE TABLE _mosaic.feed_identities (
    row_id         BIGINT NOT NULL,
    identity_type  VARCHAR NOT NULL,
    identity_value VARCHAR NOT NULL
);
CREATE TABLE _mosaic.feed_attributes (
    row_id BIGINT NOT NULL,
    key    VARCHAR NOT NULL,
    value  JSON
);
-- Attribute keys a row deletes (deleted_user_attributes of a batch).
CREATE TABLE _mosaic.feed_deletions (
    row_id BIGINT NOT NULL,
    key    VARCHAR NOT NULL
);
-- The events of staged rows, before their profile is known.
CREATE TABLE _mosaic.feed_events (
    row_id      BIGINT NOT NULL,
    event_id    VARCHAR NOT NULL,
    event_type  VARCHAR NOT NULL,
    event_name  VARCHAR,
    occurred_at TIMESTAMPTZ NOT NULL,
    attributes  JSON
);
-- Each staged batch as it came (unknown fields included), for forwarding.
CREATE TABLE _mosaic.feed_batches (
    row_id BIGINT NOT NULL,
    batch  JSON NOT NULL
);

-- The identity stage's interned identities: each (type, value) once, with
-- an integer id and the MPID seed of doc.go rule 9.
CREATE TABLE _mosaic.identity_dict (
    id             BIGINT NOT NULL,
    identity_type  VARCHAR NOT NULL,
    identity_value VARCHAR NOT NULL,
    seed           BIGINT NOT NULL
);
-- The profile each feed row resolved to when it was applied (rows with no
-- profile have no line); resolve through aliases for the current one.
CREATE TABLE _mosaic.row_profiles (
    row_id BIGINT NOT NULL,
    mpid   BIGINT NOT NULL
);

CREATE TABLE _mosaic.profiles (
    mpid         BIGINT PRIMARY KEY,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE _mosaic.identities (
    mpid           BIGINT NOT NULL,
    identity_type  VARCHAR NOT NULL,
    identity_value VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL,
    feed           VARCHAR NOT NULL,
    identity_id    BIGINT NOT NULL
);
-- A profile's attributes: the winning write per key. feed_pos, run_id and
-- row_pos place the write in the application order, for ties.
CREATE TABLE _mosaic.attributes (
    mpid        BIGINT NOT NULL,
    key         VARCHAR NOT NULL,
    value       JSON,
    source_type VARCHAR NOT NULL,
    feed        VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    calculated  BOOLEAN NOT NULL DEFAULT false,
    feed_pos    INTEGER,
    run_id      BIGINT,
    row_pos     BIGINT
);
CREATE TABLE _mosaic.aliases (
    alias_mpid BIGINT PRIMARY KEY,
    mpid       BIGINT NOT NULL,
    merged_at  TIMESTAMPTZ NOT NULL,
    run_id     BIGINT NOT NULL
);
CREATE TABLE _mosaic.events (
    event_id    VARCHAR NOT NULL,
    mpid        BIGINT,
    feed        VARCHAR NOT NULL,
    event_type  VARCHAR NOT NULL,
    event_name  VARCHAR,
    occurred_at TIMESTAMPTZ NOT NULL,
    attributes  JSON,
    batch_id    VARCHAR
);
CREATE TABLE _mosaic.audience_history (
    audience   VARCHAR NOT NULL,
    mpid       BIGINT NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    exited_at  TIMESTAMPTZ,
    run_id     BIGINT NOT NULL
);

CREATE VIEW main.profiles AS
    SELECT mpid, created_at, updated_at, last_seen_at FROM _mosaic.profiles;
CREATE VIEW main.profile_identities AS
    SELECT mpid, identity_type, identity_value, first_seen_at, last_seen_at, feed FROM _mosaic.identities;
CREATE VIEW main.profile_attributes AS
    SELECT mpid, key, value, source_type, feed, updated_at, calculated FROM _mosaic.attributes;
CREATE VIEW main.profile_aliases AS
    SELECT alias_mpid, mpid, merged_at, run_id FROM _mosaic.aliases;
CREATE VIEW main.events AS
    SELECT event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id FROM _mosaic.events;
CREATE VIEW main.audience_members AS
    SELECT audience, mpid, entered_at FROM _mosaic.audience_history WHERE exited_at IS NULL;
CREATE VIEW main.audience_history AS
    SELECT audience, mpid, entered_at, exited_at, run_id FROM _mosaic.audience_history;
CREATE VIEW main.runs AS
    SELECT run_id, pipeline, started_at, finished_at, status, error, stats FROM _mosaic.runs;
CREATE VIEW main.dropped_rows AS
    SELECT run_id, feed, reason, "row" FROM _mosaic.dropped_rows;
