-- profiles without its primary key. MPIDs are hashes, so the rows a run
-- changes land all over the key's index, and every checkpoint wrote the
-- whole index again: 86 MB for a 20k-row change at 1M users, a third of
-- an incremental run's commit. The identity stage keeps MPIDs unique by
-- construction (a profile is created only under a free MPID), and point
-- reads go to profile_docs, which keeps its key.
CREATE TABLE _mosaic.profiles_unkeyed (
    mpid         BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
INSERT INTO _mosaic.profiles_unkeyed SELECT mpid, created_at, updated_at, last_seen_at FROM _mosaic.profiles;
DROP TABLE _mosaic.profiles;
ALTER TABLE _mosaic.profiles_unkeyed RENAME TO profiles;
