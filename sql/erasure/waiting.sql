-- Whether identity $2 of erasure request $1 still waits (not carried out,
-- not cancelled).
SELECT count(*) FROM _mosaic.erasure_identities
WHERE request_id = $1 AND position = $2 AND outcome IS NULL;
