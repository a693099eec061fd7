-- Schema version 13: output_kv, private. Each output's own key/value state
-- (connectors.OutputState): what its destination remembers from one sync
-- to the next besides what it acknowledged, such as the UID2 mappings of
-- hashed identities, each entry tagged with a group it is dropped by (the
-- mapping's salt bucket). `mosaic forget` deletes what derives from the
-- forgotten profile (sql/forget/state.sql); a --full-refresh keeps it, as
-- it keeps what outputs delivered.
-- Also each sync's count of records sent again to refresh them
-- (connectors.Refresher), in output_syncs and the public output_runs.
CREATE TABLE _mosaic.output_kv (
    output     VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,
    value      VARCHAR NOT NULL,
    tag        VARCHAR,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (output, key)
);
ALTER TABLE _mosaic.output_syncs ADD COLUMN refreshed BIGINT DEFAULT 0;
CREATE OR REPLACE VIEW main.output_runs AS
    SELECT sync_id, output, run_id, started_at, finished_at, status, added, changed, removed, refreshed, invalid, failed, error
    FROM _mosaic.output_syncs;
