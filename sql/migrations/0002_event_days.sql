-- Schema version 2: events partitioned by day, and the state of calculated
-- attributes.
--
-- Events carry their UTC day (occurred_day) and the run that stored them
-- (run_id; NULL for events stored before this version). DuckDB has no table
-- partitions, so a "partition" is a run of row groups: each run inserts its
-- events ordered by day (events/store.sql), and this migration rewrites the
-- existing table in day order. Retention then deletes whole days with
-- `occurred_day < cutoff`, which touches only the row groups of those days
-- (their zone maps exclude every other row group), and a checkpoint drops
-- the emptied row groups instead of rewriting half-deleted ones.
--
-- Measured (3M events over 120 days, 100k profiles, 2 busy cores): deleting
-- the 224k events of the 9 oldest days took 86 ms + 58 ms checkpoint from
-- the day-ordered table, 828 ms + 4.4 s checkpoint from the same table in
-- arrival order. One table per day behind the events view would drop a day
-- in ~10 ms, but every statement over events (merges following the
-- survivor, calculated attributes, audiences, the public view) would then
-- span hundreds of tables and be rebuilt as days come and go; the ordered
-- single table is within a few hundred milliseconds of it and stays one
-- table.
CREATE TABLE _mosaic.events_by_day (
    event_id     VARCHAR NOT NULL,
    mpid         BIGINT,
    feed         VARCHAR NOT NULL,
    event_type   VARCHAR NOT NULL,
    event_name   VARCHAR,
    occurred_at  TIMESTAMPTZ NOT NULL,
    attributes   JSON,
    batch_id     VARCHAR,
    occurred_day DATE NOT NULL,
    run_id       BIGINT
);
INSERT INTO _mosaic.events_by_day
SELECT event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id,
    CAST(timezone('UTC', occurred_at) AS DATE), NULL
FROM _mosaic.events
ORDER BY 9, occurred_at;
DROP TABLE _mosaic.events;
ALTER TABLE _mosaic.events_by_day RENAME TO events;

-- Calculated attributes as last computed: the definition (kind, event,
-- attribute, predicates; not the window) and the window's bounds. A run
-- recomputes in full the profiles whose input events entered or left the
-- window since, and every profile when the definition changed.
CREATE TABLE _mosaic.calc_state (
    name       VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    lower_at   TIMESTAMPTZ NOT NULL,
    upper_at   TIMESTAMPTZ NOT NULL,
    run_id     BIGINT NOT NULL
);
