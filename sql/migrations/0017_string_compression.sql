-- Schema version 17: the largest tables' unique strings get a fixed
-- compression instead of DuckDB's choice per segment.
--
-- When DuckDB writes a string column it tries every method on each
-- segment before it picks one; for values that seldom repeat (event and
-- batch ids, identity values) it picks FSST almost every time (10,256 of
-- the 10,831 segments of feed_identities.identity_value at 10M users),
-- after hashing every string for a dictionary it then throws away. Naming FSST skips
-- that: 20M event and batch id pairs were written in 9.5-10.4 s against
-- 13.6-14.9 s, into the same number of blocks. The identity dictionary's
-- values are stored uncompressed: its 47.6M values at 10M users were
-- written in 21.3 s against 46.7 s (FSST named: 33.5 s) and looked up
-- 0.75-0.8x as long, in 1.8x the space (about 5% of that store).
--
-- A table's compression can only be set when it is created, so the four
-- tables are rewritten (in the order their rows are in: events stay
-- grouped by day, see 0002_event_days.sql).
CREATE TABLE _mosaic.events_v17 (
    event_id     VARCHAR USING COMPRESSION fsst NOT NULL,
    mpid         BIGINT,
    feed         VARCHAR NOT NULL,
    event_type   VARCHAR NOT NULL,
    event_name   VARCHAR,
    occurred_at  TIMESTAMPTZ NOT NULL,
    attributes   JSON,
    batch_id     VARCHAR USING COMPRESSION fsst,
    occurred_day DATE NOT NULL,
    run_id       BIGINT
);
INSERT INTO _mosaic.events_v17 SELECT * FROM _mosaic.events;
DROP TABLE _mosaic.events;
ALTER TABLE _mosaic.events_v17 RENAME TO events;

CREATE TABLE _mosaic.feed_events_v17 (
    row_id      BIGINT NOT NULL,
    event_id    VARCHAR USING COMPRESSION fsst NOT NULL,
    event_type  VARCHAR NOT NULL,
    event_name  VARCHAR,
    occurred_at TIMESTAMPTZ NOT NULL,
    attributes  JSON,
    feed_pos    INTEGER,
    batch_id    VARCHAR USING COMPRESSION fsst
);
INSERT INTO _mosaic.feed_events_v17 SELECT * FROM _mosaic.feed_events;
DROP TABLE _mosaic.feed_events;
ALTER TABLE _mosaic.feed_events_v17 RENAME TO feed_events;

CREATE TABLE _mosaic.feed_identities_v17 (
    row_id         BIGINT NOT NULL,
    identity_type  VARCHAR NOT NULL,
    identity_value VARCHAR USING COMPRESSION fsst NOT NULL
);
INSERT INTO _mosaic.feed_identities_v17 SELECT * FROM _mosaic.feed_identities;
DROP TABLE _mosaic.feed_identities;
ALTER TABLE _mosaic.feed_identities_v17 RENAME TO feed_identities;

CREATE TABLE _mosaic.identity_dict_v17 (
    id             BIGINT NOT NULL,
    identity_type  VARCHAR NOT NULL,
    identity_value VARCHAR USING COMPRESSION uncompressed NOT NULL,
    seed           BIGINT NOT NULL
);
INSERT INTO _mosaic.identity_dict_v17 SELECT * FROM _mosaic.identity_dict;
DROP TABLE _mosaic.identity_dict;
ALTER TABLE _mosaic.identity_dict_v17 RENAME TO identity_dict;
