-- Schema version 9: the Profile API's documents. A pipeline that serves
-- the Profile API keeps each profile's answer as JSON text, written by the
-- runs for the profiles they change, so that a request reads one row by
-- its key instead of aggregating four tables of the whole store. The
-- identities a profile may be resolved by map to its MPID in
-- profile_keys (type, a colon, value). meta's 'profile_docs' tells as of
-- which run and for which definitions the documents are current.
CREATE TABLE _mosaic.profile_docs (
    mpid BIGINT PRIMARY KEY,
    doc  VARCHAR NOT NULL
);
CREATE TABLE _mosaic.profile_keys (
    key  VARCHAR PRIMARY KEY,
    mpid BIGINT NOT NULL
);
