-- The exits of _aud_delta (audience: its number in $2, the level's
-- numbers) leave at the run's clock $1. run_id stays the run that let them
-- in.
UPDATE _mosaic.audience_history SET exited_at = $1
WHERE exited_at IS NULL AND (audience_id, mpid) IN (SELECT ($2::INTEGER[])[aud], mpid FROM _aud_delta WHERE NOT enters);
