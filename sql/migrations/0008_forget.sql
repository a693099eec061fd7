-- Schema version 8: data-subject deletion. `mosaic forget` erases a
-- profile and leaves an audit row that holds no personal data: the
-- identity it was asked for is kept only as a salted hash (the salt is
-- the store's own, made here). Outputs that delivered the profile's
-- records owe their removal (forget_keys) until they acknowledge it.
INSERT INTO _mosaic.meta (key, value)
VALUES ('identity_salt', replace(CAST(gen_random_uuid() AS VARCHAR) || CAST(gen_random_uuid() AS VARCHAR), '-', ''));
CREATE TABLE _mosaic.forget_requests (
    forget_id     BIGINT PRIMARY KEY,
    requested_at  TIMESTAMPTZ NOT NULL,
    reason        VARCHAR,
    identity_hash VARCHAR NOT NULL,
    profiles      INTEGER NOT NULL,
    blocked       BOOLEAN NOT NULL
);
CREATE TABLE _mosaic.forget_keys (
    forget_id BIGINT NOT NULL,
    output    VARCHAR NOT NULL,
    key       VARCHAR NOT NULL
);
CREATE TABLE _mosaic.forget_outputs (
    forget_id    BIGINT NOT NULL,
    output       VARCHAR NOT NULL,
    confirmed_at TIMESTAMPTZ
);
-- Identities that may not make a profile again, as salted hashes of
-- type:value.
CREATE TABLE _mosaic.blocked_identities (
    hash      VARCHAR PRIMARY KEY,
    forget_id BIGINT NOT NULL
);
CREATE VIEW main.forgotten AS
    SELECT r.forget_id, r.requested_at, r.reason, r.identity_hash, r.profiles, r.blocked,
        coalesce((SELECT to_json(list(json_object('output', o.output, 'confirmed_at', o.confirmed_at) ORDER BY o.output))
                  FROM _mosaic.forget_outputs o WHERE o.forget_id = r.forget_id), '[]') AS outputs
    FROM _mosaic.forget_requests r;
