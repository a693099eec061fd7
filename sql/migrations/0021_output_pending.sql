-- Schema version 21: output_pending, private. The records an output's
-- last sync set out to send through a writer, each with the sync at which
-- it was first pending (since), which its idempotency key derives from:
-- the same delivery sent again, within a sync or by a later one while no
-- sync has seen it acknowledged, carries the same key; a later delivery of
-- an equal payload, after another one was delivered, carries a key of its
-- own (a key derived from the payload alone came back with the value, and
-- a receiver that drops repeats dropped it). A sync replaces its output's
-- rows before it sends anything and deletes them when it ends owing
-- nothing; `mosaic forget` deletes those of the forgotten profile's keys.
CREATE TABLE _mosaic.output_pending (
    output  VARCHAR NOT NULL,
    key     VARCHAR NOT NULL,
    hash    VARCHAR NOT NULL,
    removed BOOLEAN NOT NULL,
    since   BIGINT NOT NULL
);
