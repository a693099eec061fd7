-- Forget request $1: when, why ($2), the salted hash of the identity or
-- MPID it named ($3), how many profiles it erased ($4), whether it blocked
-- their identities ($5).
INSERT INTO _mosaic.forget_requests (forget_id, requested_at, reason, identity_hash, profiles, blocked)
VALUES ($1, now(), $2, $3, $4, $5);
