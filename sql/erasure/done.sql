-- Identity $2 of erasure request $1 is done: its value goes, its outcome
-- ($3) stays, with what forget erased ($4 to $9: forget_id, profiles,
-- staged_rows, dropped_rows, stats, outputs) or why it failed ($10), and
-- when ($11: now() would be when its transaction began).
UPDATE _mosaic.erasure_identities
SET identity_value = NULL, outcome = $3, forget_id = $4, profiles = $5, staged_rows = $6,
    dropped_rows = $7, stats = $8, outputs = $9, message = $10, done_at = $11
WHERE request_id = $1 AND position = $2 AND outcome IS NULL;
