-- Schema version 7: what each output delivered. Outputs sync after a run
-- commits; each keeps, per record key, the hash and payload the destination
-- last acknowledged, and advances it only on acknowledgement.
CREATE TABLE _mosaic.output_state (
    output       VARCHAR NOT NULL,
    key          VARCHAR NOT NULL,
    hash         VARCHAR NOT NULL,
    payload      JSON,
    delivered_at TIMESTAMPTZ NOT NULL,
    run_id       BIGINT NOT NULL,
    PRIMARY KEY (output, key)
);
-- The acknowledgements of the sync under way, one row per record, appended
-- as each batch is acknowledged (cheap: no index) and folded into
-- output_state when the sync ends, or by the next sync when a process died
-- before.
CREATE TABLE _mosaic.output_acks (
    output       VARCHAR NOT NULL,
    sync_id      BIGINT NOT NULL,
    n            BIGINT NOT NULL, -- the record's place in its sync

    key          VARCHAR NOT NULL,
    hash         VARCHAR NOT NULL,
    payload      JSON,
    removed      BOOLEAN NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL,
    run_id       BIGINT NOT NULL
);
-- How far each events output has forwarded: the last run all of whose
-- batches it delivered (its output_state then holds the batches of later
-- runs it delivered).
CREATE TABLE _mosaic.output_positions (
    output VARCHAR PRIMARY KEY,
    run_id BIGINT NOT NULL
);
-- One row per sync of one output.
CREATE TABLE _mosaic.output_syncs (
    sync_id     BIGINT NOT NULL,
    output      VARCHAR NOT NULL,
    run_id      BIGINT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,
    added       BIGINT NOT NULL DEFAULT 0,
    changed     BIGINT NOT NULL DEFAULT 0,
    removed     BIGINT NOT NULL DEFAULT 0,
    invalid     BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    error       VARCHAR
);
-- Records a sync could not deliver; each is sent again at the next sync.
CREATE TABLE _mosaic.output_failures (
    sync_id   BIGINT NOT NULL,
    output    VARCHAR NOT NULL,
    run_id    BIGINT NOT NULL,
    key       VARCHAR NOT NULL,
    operation VARCHAR NOT NULL,
    attempts  INTEGER NOT NULL,
    error     VARCHAR NOT NULL,
    payload   JSON
);

CREATE VIEW main.output_runs AS
    SELECT sync_id, output, run_id, started_at, finished_at, status, added, changed, removed, invalid, failed, error
    FROM _mosaic.output_syncs;
CREATE VIEW main.output_records AS
    SELECT output, key, payload, delivered_at, run_id FROM _mosaic.output_state;
CREATE VIEW main.output_failures AS
    SELECT sync_id, output, run_id, key, operation, attempts, error, payload FROM _mosaic.output_failures;
