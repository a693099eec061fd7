-- Erasure request $1 is cancelled ($2: when): each identity still waiting
-- loses its value and takes the outcome cancelled. Only a request none of
-- whose identities was carried out is cancelled (erasure.go cancel).
UPDATE _mosaic.erasure_identities
SET identity_value = NULL, outcome = 'cancelled', done_at = $2
WHERE request_id = $1 AND outcome IS NULL;
