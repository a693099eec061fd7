-- Schema version 24: the erasure requests `mosaic serve` takes over HTTP
-- (OpenDSR), private. A request is kept from its 201 on, so that one
-- accepted and not yet carried out survives a restart of the server. Its
-- identities hold their values only while they wait: each one is erased
-- as `mosaic forget` erases, and the transaction that erases it (or that
-- records why it could not) drops the value and keeps the outcome: what
-- was erased, counted, or the message of a failure.
CREATE TABLE _mosaic.erasure_requests (
    request_id     VARCHAR PRIMARY KEY, -- subject_request_id, lower-case
    regulation     VARCHAR NOT NULL,    -- gdpr or ccpa
    submitted_time TIMESTAMPTZ NOT NULL,
    received_time  TIMESTAMPTZ NOT NULL,
    block          BOOLEAN NOT NULL
);
CREATE TABLE _mosaic.erasure_identities (
    request_id     VARCHAR NOT NULL,
    position       INTEGER NOT NULL,    -- in the request, from 0
    sent_type      VARCHAR NOT NULL,    -- the type as the request spelled it
    identity_type  VARCHAR NOT NULL,    -- as stored, or mpid
    identity_value VARCHAR,             -- NULL once done
    outcome        VARCHAR,             -- NULL while waiting; erased, unheld, not_found, failed or cancelled
    forget_id      BIGINT,              -- its row in forgotten
    profiles       BIGINT,
    staged_rows    BIGINT,
    dropped_rows   BIGINT,
    stats          BIGINT,
    outputs        BIGINT,
    message        VARCHAR,             -- why it failed, without the value
    done_at        TIMESTAMPTZ
);
